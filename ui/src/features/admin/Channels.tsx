import { type FormEvent, type ReactNode, useState } from "react";

import { type Channel, type ChannelKind, api } from "../../api/client";
import { useT } from "../../store";
import { Copyable, type Errors, Field, toErrors } from "./form";

// A live chat's channels on the admin page: the list, and a way to add each kind. What
// a kind takes and gives back (src/livedesk/actions/admin.py, schemas/livechats.py):
//   widget:   nothing; gives its public widget_key (the page's script tag).
//   telegram: config.bot_token; gives the webhook path and its secret (shown once), and
//             webhook_url / webhook_error when the server has LIVEDESK_PUBLIC_URL.
//   api:      config.url, where operators' replies are POSTed; gives the channel's
//             bearer token (shown once) for POST /api/channels/api/{id}/messages.

export function widgetSnippet(origin: string, widgetKey: string): string {
  return `<script src="${origin}/widget.js" data-widget-key="${widgetKey}" async></script>`;
}

export function inboundUrl(origin: string, channelId: number): string {
  return `${origin}/api/channels/api/${channelId}/messages`;
}

export function ChannelsSection({
  livechatId,
  channels,
  onChanged,
}: {
  livechatId: number;
  channels: Channel[];
  onChanged: () => Promise<void>;
}) {
  const t = useT();
  // The answer to a create: its secret or token is never shown again.
  const [created, setCreated] = useState<Channel | null>(null);
  const [widgetError, setWidgetError] = useState<string | null>(null);

  async function create(kind: ChannelKind, config: Record<string, unknown> = {}) {
    const channel = await api.createChannel(livechatId, kind, config);
    setCreated(channel);
    await onChanged();
  }
  return (
    <section className="channels">
      <h3>{t("channels")}</h3>
      <ul>
        {channels.map((channel) => (
          <ChannelRow
            key={channel.id}
            channel={channel}
            created={created?.id === channel.id ? created : null}
          />
        ))}
      </ul>
      <div className="channel-forms">
        <div className="admin-form">
          <h4>{t("widgetChannel")}</h4>
          <button
            type="button"
            onClick={() =>
              void create("widget").then(
                () => setWidgetError(null),
                (error) => setWidgetError(toErrors(error)._ ?? String(error)),
              )
            }
          >
            {t("addWidget")}
          </button>
          {widgetError && <p className="error">{widgetError}</p>}
        </div>
        <ChannelForm
          title="Telegram"
          label={t("addTelegram")}
          field="bot_token"
          fieldLabel={t("botToken")}
          secret
          onSubmit={(botToken) => create("telegram", { bot_token: botToken })}
        />
        <ChannelForm
          title={t("apiChannel")}
          label={t("addApiChannel")}
          field="url"
          fieldLabel={t("replyUrl")}
          placeholder="https://"
          onSubmit={(url) => create("api", url ? { url } : {})}
        />
      </div>
    </section>
  );
}

/** One input and a button; the server's validation errors show next to the input. */
function ChannelForm({
  title,
  label,
  field,
  fieldLabel,
  placeholder,
  secret = false,
  onSubmit,
}: {
  title: string;
  label: string;
  field: string;
  fieldLabel: string;
  placeholder?: string;
  secret?: boolean;
  onSubmit: (value: string) => Promise<void>;
}) {
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await onSubmit(value.trim());
      setValue("");
      setErrors({});
    } catch (error) {
      setErrors(toErrors(error));
    }
  }
  return (
    <form className="admin-form" aria-label={label} onSubmit={submit} noValidate>
      <h4>{title}</h4>
      <Field label={fieldLabel} error={errors[field]}>
        <input
          name={field}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          type={secret ? "password" : "text"}
          onChange={(e) => setValue(e.target.value)}
        />
      </Field>
      {errors._ && <p className="error">{errors._}</p>}
      <button type="submit">{label}</button>
    </form>
  );
}

function channelTitle(kind: ChannelKind, t: ReturnType<typeof useT>): string {
  return kind === "widget" ? t("widgetChannel") : kind === "api" ? t("apiChannel") : "Telegram";
}

/** Shell commands in a hint (between backticks) set as code. */
function withCode(text: string): ReactNode[] {
  return text.split("`").map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}

function ChannelRow({ channel, created }: { channel: Channel; created: Channel | null }) {
  const t = useT();
  const origin = window.location.origin;
  return (
    <li data-channel-id={channel.id} data-channel-kind={channel.kind} className="channel-row">
      <strong>{channelTitle(channel.kind, t)}</strong>
      {channel.name !== channel.kind && ` ${channel.name}`}
      {channel.kind === "widget" && channel.widget_key && (
        <Copyable text={widgetSnippet(origin, channel.widget_key)} />
      )}
      {channel.kind === "telegram" && <TelegramDetails channel={created ?? channel} />}
      {channel.kind === "api" && <ApiDetails channel={created ?? channel} />}
    </li>
  );
}

function TelegramDetails({ channel }: { channel: Channel }) {
  const t = useT();
  const hint = channel.config.bot_token_hint;
  const path = channel.webhook_path ?? `/api/channels/telegram/${channel.id}/webhook`;
  return (
    <div className="channel-details">
      {typeof hint === "string" && <span className="muted">{hint}</span>}
      {channel.webhook_url ? (
        <>
          <span>{t("webhookRegistered")}</span>
          <Copyable text={channel.webhook_url} className="webhook" />
        </>
      ) : (
        <>
          <span>{t("webhookPath")}</span>
          <Copyable text={path} className="webhook" />
          <p className="hint">
            {t("webhookNotRegistered")}
            {channel.webhook_error ? `: ${channel.webhook_error}` : "."} {withCode(t("telegramHint"))}
          </p>
        </>
      )}
      {channel.secret && (
        <>
          <span>{t("webhookSecret")}</span>
          <Copyable text={channel.secret} className="channel-secret" />
          <p className="hint">{t("shownOnce")}</p>
        </>
      )}
    </div>
  );
}

function ApiDetails({ channel }: { channel: Channel }) {
  const t = useT();
  const replyUrl = channel.config.url;
  return (
    <div className="channel-details">
      <span>{t("inboundUrl")}</span>
      <Copyable text={inboundUrl(window.location.origin, channel.id)} className="inbound-url" />
      {typeof replyUrl === "string" && replyUrl && (
        <span className="muted reply-url">
          {t("replyUrl")}: {replyUrl}
        </span>
      )}
      {channel.token && (
        <>
          <span>{t("channelToken")}</span>
          <Copyable text={channel.token} className="channel-token" />
          <p className="hint">{t("shownOnce")}</p>
        </>
      )}
    </div>
  );
}
