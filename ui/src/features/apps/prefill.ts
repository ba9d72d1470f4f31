// What a form starts with when an operator creates an item from a chat, or a customer
// record from a contact (PRODUCT.md, "Dialog, customer panel, apps": "prefilled where
// possible: customer, session link, transcript"). A field is recognised by its type and
// by words in its key or label, in English or Russian.
import type { AppField, Contact, FieldValues, Message } from "../../api/client";

const LINK_WORDS = /session|chat|link|url|сесси|чат|ссылк/i;
const TRANSCRIPT_WORDS =
  /transcript|history|dialog|conversation|details|переписк|истори|диалог|подробн/i;
const USERNAME_WORDS = /user_?name|login|nick|telegram|логин|ник/i;
const NAME_WORDS = /name|имя|фио/i;
const PHONE_WORDS = /phone|телефон/i;
const EMAIL_WORDS = /e-?mail|почт/i;

function mentions(field: AppField, words: RegExp): boolean {
  return words.test(field.key) || words.test(field.label);
}

function hhmm(iso: string): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "--:--";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

type TranscriptMessage = Pick<Message, "author" | "text" | "created_at" | "internal"> & {
  attachments?: unknown[];
};

function attachmentNames(attachments: unknown[] | undefined): string {
  const names = (attachments ?? []).map((a) =>
    a && typeof a === "object" && typeof (a as { name?: unknown }).name === "string"
      ? (a as { name: string }).name
      : "",
  );
  return names.filter(Boolean).length > 0 ? `[${names.filter(Boolean).join(", ")}]` : "";
}

/** The conversation as "HH:MM Name: text" lines (local time): what the customer and the
 * operators wrote; internal notes and system lines stay out. */
export function transcript(messages: readonly TranscriptMessage[]): string {
  return messages
    .filter((m) => (m.author.kind === "customer" || m.author.kind === "operator") && !m.internal)
    .map((m) => {
      const text = [m.text.trim(), attachmentNames(m.attachments)].filter(Boolean).join(" ");
      return `${hhmm(m.created_at)} ${m.author.name}: ${text}`;
    })
    .join("\n");
}

export interface ChatContext {
  contact: Pick<Contact, "id" | "name" | "email" | "phone"> | null;
  contactId: number;
  link: string;
  transcript: string;
}

/** A new item's values from the chat: the contact, a link back to the chat, the
 * transcript, and the customer's e-mail and phone where the app has such fields. */
export function prefillItem(fields: readonly AppField[], chat: ChatContext): FieldValues {
  const out: FieldValues = {};
  for (const field of fields) {
    let value: unknown = null;
    if (field.type === "contact") value = chat.contactId;
    else if (field.type === "string" && mentions(field, LINK_WORDS)) value = chat.link;
    else if (field.type === "text" && mentions(field, TRANSCRIPT_WORDS)) value = chat.transcript;
    else if (field.type === "email") value = chat.contact?.email;
    else if (field.type === "phone") value = chat.contact?.phone;
    if (value !== null && value !== undefined && value !== "") out[field.key] = value;
  }
  return out;
}

type AccountContact = Pick<Contact, "id" | "name" | "email" | "phone" | "identities">;

/** The username the customer has on a messenger, if any ("jnowak", without the @). */
export function contactUsername(contact: Pick<Contact, "identities">): string | null {
  const found = (contact.identities ?? []).find((i) => i.username);
  return found?.username?.replace(/^@/, "") ?? null;
}

function accountValue(field: AppField, contact: AccountContact): unknown {
  if (field.type === "contact") return contact.id;
  if (field.type === "email") return contact.email;
  if (field.type === "phone") return contact.phone;
  if (field.type !== "string") return null;
  if (mentions(field, USERNAME_WORDS)) return contactUsername(contact);
  if (mentions(field, PHONE_WORDS)) return contact.phone;
  if (mentions(field, EMAIL_WORDS)) return contact.email;
  if (mentions(field, NAME_WORDS)) return contact.name;
  return null;
}

/** A customer record's values from the contact: name, phone, e-mail, messenger username. */
export function prefillAccount(fields: readonly AppField[], contact: AccountContact): FieldValues {
  const out: FieldValues = {};
  for (const field of fields) {
    const value = accountValue(field, contact);
    if (value !== null && value !== undefined && value !== "") out[field.key] = value;
  }
  return out;
}
