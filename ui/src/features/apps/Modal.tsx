import { type ReactNode, useEffect, useRef } from "react";
import { createPortal } from "react-dom";

import { useT } from "../../store";

/** A window over the page: Escape, the cross or a click beside it closes it. It is drawn
 * at the end of <body>, so the styles of where it was opened from never reach it. */
export function Modal({
  title,
  onClose,
  children,
  className = "",
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close.current();
    };
    document.addEventListener("keydown", onKey);
    const first = box.current?.querySelector<HTMLElement>(
      "input:not([type=hidden]):not([readonly]), select, textarea",
    );
    first?.focus();
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return createPortal(
    <div
      className="modal-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div
        ref={box}
        className={`modal ${className}`.trim()}
        role="dialog"
        aria-modal="true"
        aria-label={title}
      >
        <header className="modal-header">
          <h3>{title}</h3>
          <button type="button" className="close" aria-label={t("closeWindow")} onClick={onClose}>
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>,
    document.body,
  );
}
