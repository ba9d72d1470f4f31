import { describe, expect, it } from "vitest";

import { ApiError } from "../../api/client";
import {
  errorText,
  formatSize,
  pastedName,
  precheck,
  readAttachments,
  uploadError,
} from "./Attachments";

const MIB = 1024 * 1024;

describe("formatSize", () => {
  it("counts bytes, kilobytes and megabytes as the upload limit does", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(812)).toBe("812 B");
    expect(formatSize(4608)).toBe("4.5 KB");
    expect(formatSize(200 * 1024)).toBe("200 KB");
    expect(formatSize(10 * MIB)).toBe("10 MB");
    expect(formatSize(1.25 * MIB)).toBe("1.3 MB");
  });

  it("speaks Russian", () => {
    expect(formatSize(4608, "ru")).toBe("4,5 КБ");
    expect(formatSize(10 * MIB, "ru")).toBe("10 МБ");
  });
});

describe("readAttachments", () => {
  it("shows uploaded images as thumbnails and other files as download rows", () => {
    const shown = readAttachments([
      { id: 1, type: "image", name: "cat.png", content_type: "image/png", size: 10, url: "/api/files/k1/cat.png" },
      { id: 2, type: "file", name: "bill.pdf", content_type: "application/pdf", size: 20, url: "/api/files/k2/bill.pdf" },
      { id: 3, type: "image", name: "logo.svg", content_type: "image/svg+xml", size: 30, url: "/api/files/k3/logo.svg" },
    ]);
    expect(shown.map((a) => [a.name, a.view, a.size])).toEqual([
      ["cat.png", "image", 10],
      ["bill.pdf", "file", 20],
      // SVG can carry script: the server makes it a download, so no thumbnail either.
      ["logo.svg", "file", 30],
    ]);
  });

  it("keeps a messenger's label; a voice message or a sticker is a labelled download", () => {
    const [voice, sticker, location] = readAttachments([
      { id: 4, type: "audio", label: "Voice message", name: "voice.ogg", content_type: "audio/ogg", size: 5, url: "/api/files/k4/voice.ogg" },
      { type: "sticker", label: "Sticker", file_id: "abc", mime_type: "application/x-tgsticker", file_size: 7 },
      { type: "location", label: "Location" },
    ]);
    expect(voice).toMatchObject({ label: "Voice message", name: "voice.ogg", view: "file", url: "/api/files/k4/voice.ogg" });
    expect(sticker).toMatchObject({ label: "Sticker", name: "Sticker", size: 7, view: "file", url: null });
    expect(location).toMatchObject({ name: "Location", view: "file", url: null, size: null });
  });

  it("never links anywhere but the server's own paths", () => {
    const shown = readAttachments([
      { type: "image", name: "x", content_type: "image/png", url: "javascript:alert(1)" },
      { type: "file", name: "y", url: "//evil.example/y" },
      { type: "file", name: "z", url: "https://evil.example/z" },
    ]);
    expect(shown.map((a) => [a.url, a.view])).toEqual([
      [null, "file"],
      [null, "file"],
      [null, "file"],
    ]);
  });

  it("ignores what is not a list of objects", () => {
    expect(readAttachments(undefined)).toEqual([]);
    expect(readAttachments("x")).toEqual([]);
    expect(readAttachments([null, 3, "a"])).toEqual([]);
  });
});

describe("upload errors", () => {
  it("refuses empty and too large files before sending them", () => {
    expect(precheck(1)).toBeNull();
    expect(precheck(10 * MIB)).toBeNull();
    expect(precheck(10 * MIB + 1)).toEqual({ kind: "tooLarge", limit: 10 * MIB });
    expect(precheck(0)).toEqual({ kind: "empty" });
    expect(errorText(precheck(10 * MIB + 1)!, "en")).toBe("File is larger than 10 MB");
    expect(errorText(precheck(10 * MIB + 1)!, "ru")).toBe("Файл больше 10 МБ");
  });

  it("takes the limit the server states in its 413", () => {
    const refused = new ApiError(413, "file_too_large", "Files are limited to 2048 bytes.");
    expect(errorText(uploadError(refused), "en")).toBe("File is larger than 2 KB");
    const closed = new ApiError(409, "session_closed", "This session is closed.");
    expect(errorText(uploadError(closed), "en")).toBe("Upload failed: This session is closed.");
    expect(errorText(uploadError(new ApiError(400, "empty_file", "")), "en")).toBe("File is empty");
  });
});

describe("pastedName", () => {
  it("names a pasted screenshot after the moment, keeps a real name", () => {
    const at = new Date(2024, 0, 5, 9, 7, 3);
    expect(pastedName({ name: "image.png", type: "image/png" } as File, at)).toBe(
      "Pasted image 2024-01-05 09.07.03.png",
    );
    expect(pastedName({ name: "", type: "image/jpeg" } as File, at)).toBe(
      "Pasted image 2024-01-05 09.07.03.jpg",
    );
    expect(pastedName({ name: "plan.png", type: "image/png" } as File, at)).toBe("plan.png");
  });
});
