import { describe, expect, it } from "vitest";

import type { AppField, Contact } from "../../api/client";
import { sessionLink } from "../links/hashLinks";
import { contactUsername, prefillAccount, prefillItem, transcript } from "./prefill";

// Local times, so that the test reads the same in every time zone.
const at = (h: number, m: number) => new Date(2026, 0, 15, h, m).toISOString();
const msg = (kind: string, name: string, text: string, time: string, extra = {}) => ({
  author: { kind, id: 1, name },
  text,
  created_at: time,
  internal: false,
  attachments: [],
  ...extra,
}) as unknown as Parameters<typeof transcript>[0][number];

describe("transcript", () => {
  it("lists what the customer and operators wrote as HH:MM Name: text", () => {
    const lines = transcript([
      msg("customer", "Ivan", "My kettle leaks", at(9, 5)),
      msg("system", "Olga", "Olga took the chat", at(9, 6)),
      msg("operator", "Olga", "Sorry to hear that", at(9, 7)),
      msg("operator", "Olga", "VIP, be nice", at(9, 8), { internal: true }),
      msg("customer", "Ivan", "", at(14, 30), { attachments: [{ name: "photo.jpg" }] }),
    ]);
    expect(lines).toBe(
      "09:05 Ivan: My kettle leaks\n09:07 Olga: Sorry to hear that\n14:30 Ivan: [photo.jpg]",
    );
    expect(transcript([])).toBe("");
  });
});

const contact = {
  id: 7,
  name: "Jan Nowak",
  email: "jan@example.com",
  phone: "+48 500 100 200",
  identities: [
    { channel_id: 1, channel_kind: "widget", external_id: "v1", username: null },
    { channel_id: 2, channel_kind: "api", external_id: "wa:1", username: "jnowak" },
  ],
} as unknown as Contact;

describe("prefillItem", () => {
  const chat = {
    contact,
    contactId: 7,
    link: sessionLink("https://desk.example", 12),
    transcript: "09:05 Ivan: hi",
  };

  it("fills the contact, a link to the chat and the transcript", () => {
    const fields: AppField[] = [
      { key: "subject", label: "Subject", type: "string", required: false },
      { key: "customer", label: "Customer", type: "contact", required: false },
      { key: "session_link", label: "Chat", type: "string", required: false },
      { key: "history", label: "Переписка", type: "text", required: false },
      { key: "notes", label: "Notes", type: "text", required: false },
      { key: "reply_to", label: "E-mail", type: "email", required: false },
      { key: "due", label: "Due", type: "date", required: false },
    ];
    expect(prefillItem(fields, chat)).toEqual({
      customer: 7,
      session_link: "https://desk.example/#session=12",
      history: "09:05 Ivan: hi",
      reply_to: "jan@example.com",
    });
  });

  it("recognises fields by their label too, in Russian", () => {
    const fields: AppField[] = [
      { key: "f1", label: "Ссылка на чат", type: "string", required: false },
      { key: "f2", label: "Подробности", type: "text", required: false },
    ];
    expect(prefillItem(fields, { ...chat, contact: null })).toEqual({
      f1: chat.link,
      f2: chat.transcript,
    });
  });
});

describe("prefillAccount", () => {
  it("fills name, phone, e-mail and the messenger username from the contact", () => {
    const fields: AppField[] = [
      { key: "name", label: "Name", type: "string", required: true },
      { key: "phone", label: "Phone", type: "phone", required: false },
      { key: "mail", label: "E-mail", type: "string", required: false },
      { key: "username", label: "Username", type: "string", required: false },
      { key: "vip", label: "VIP", type: "boolean", required: false },
      { key: "who", label: "Contact", type: "contact", required: false },
    ];
    expect(prefillAccount(fields, contact)).toEqual({
      name: "Jan Nowak",
      phone: "+48 500 100 200",
      mail: "jan@example.com",
      username: "jnowak",
      who: 7,
    });
  });

  it("leaves out what the contact does not have", () => {
    const bare = { ...contact, email: null, phone: null, identities: [] };
    const fields: AppField[] = [
      { key: "fio", label: "ФИО", type: "string", required: false },
      { key: "phone", label: "Телефон", type: "phone", required: false },
      { key: "login", label: "Логин", type: "string", required: false },
    ];
    expect(prefillAccount(fields, bare)).toEqual({ fio: "Jan Nowak" });
    expect(contactUsername(bare)).toBeNull();
  });
});
