// Council Bot sandbox: a small Slack-like client for the offline stand-in.
// Dependency-free. It polls /api/state and draws what the acting member sees; every
// click, command, submission, reaction and reply goes to the sandbox's JSON API, which
// turns it into the signed request Slack would send the app.
"use strict";

const POLL_MS = 700;

// Slack's emoji names (every standard one, with skin tones), from GET /api/emoji.
let EMOJI = {};
const AVATAR_COLOURS = ["#2bac76", "#e01e5a", "#36c5f0", "#ecb22e", "#8f5ed6", "#e8912d"];

const ui = {
  me: localStorage.getItem("sandbox.me"),
  conv: localStorage.getItem("sandbox.conv"),
  tab: "messages",
  thread: null, // ts of the open thread's parent
  snap: null,
  keys: {}, // last drawn state per region, to redraw only what changed
  modalKey: null,
  keptByView: {}, // view id -> what the member typed there
};

const $ = (selector) => document.querySelector(selector);

// ------------------------------------------------------------------------ helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "html") el.innerHTML = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
// Slack escapes only &, < and > in message text.
const unescapeSlack = (s) => String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

// `:name:` and `:name::skin-tone-N:` as Slack draws them; unknown names stay as typed.
function emojify(html) {
  return html.replace(/(^|[^\w:]):([a-z0-9_+'\-]+):(?::(skin-tone-[2-6]):)?(?!\w)/g, (whole, before, name, tone) => {
    if (!EMOJI[name]) return whole;
    const toned = tone && EMOJI[`${name}::${tone}`];
    return before + (toned || EMOJI[name] + (tone ? EMOJI[tone] || "" : ""));
  });
}

function emojiFor(name) {
  const full = String(name);
  const base = full.split("::")[0];
  return EMOJI[full] || EMOJI[base] || `:${base}:`;
}

async function loadEmoji() {
  try {
    const response = await fetch("/api/emoji");
    EMOJI = await response.json();
  } catch (error) {
    // without the table, names show as typed (as Slack shows a name it does not know)
  }
}

function user(id) {
  return (ui.snap && ui.snap.users[id]) || null;
}

function userName(id) {
  const u = user(id);
  if (!u) return id;
  if (u.is_bot) return ui.snap.bot.name;
  return u.real_name || u.name;
}

function myTz() {
  const u = user(ui.me);
  return (u && u.tz) || "UTC";
}

function formatTime(epochSeconds, withDay) {
  const options = { timeZone: myTz(), hour: "2-digit", minute: "2-digit", hour12: false };
  if (withDay) Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
  return new Intl.DateTimeFormat("en-GB", options).format(new Date(epochSeconds * 1000));
}

function duration(seconds) {
  let left = Math.round(seconds / 60);
  const parts = [];
  for (const [size, unit] of [[1440, "day"], [60, "hour"], [1, "minute"]]) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
  }
  return parts.join(" ") || "under a minute";
}

function toast(text, kind) {
  const el = $("#toast");
  el.textContent = text;
  el.className = kind || "";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 6000);
}

async function api(path, body) {
  let answer;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: ui.me, ...body }),
    });
    answer = await response.json();
  } catch (error) {
    toast(`The sandbox did not answer (${error}). Is council-bot still running?`);
    return { ok: false };
  }
  if (!answer.ok && answer.error) toast(answer.error);
  refresh();
  return answer;
}

// ------------------------------------------------------------------------ mrkdwn
function angle(inner) {
  const bar = inner.indexOf("|");
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : "";
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const me = id === ui.me ? " me" : "";
    return `<span class="mention${me}">@${escapeHtml(user(id) ? userName(id) : unescapeSlack(label) || id)}</span>`;
  }
  if (target.startsWith("#")) {
    const conv = ((ui.snap && ui.snap.conversations) || []).find((c) => c.id === target.slice(1));
    return `<span class="mention">#${escapeHtml(unescapeSlack(label) || (conv ? conv.name : target.slice(1)))}</span>`;
  }
  if (target.startsWith("!date^")) return dateToken(target, label);
  if (target.startsWith("!subteam^")) return `<span class="mention">${escapeHtml(unescapeSlack(label))}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = unescapeSlack(target);
  const text = escapeHtml(unescapeSlack(label || target));
  if (!/^(https?:|mailto:|slack:)/i.test(url)) return text;
  const inPage = permalinkTarget(url) ? ' data-in-page=""' : "";
  return `<a href="${escapeHtml(url)}"${inPage} target="_blank" rel="noopener noreferrer">${text}</a>`;
}

// A link into this workspace: a message permalink (chat.getPermalink's
// https://DOMAIN.slack.com/archives/C.../p...[?thread_ts=...]) or a slack:// deep link to
// a conversation or the app. Slack's client opens those in place; so does the page.
function permalinkTarget(url) {
  if (!ui.snap) return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch (error) {
    return null;
  }
  if (parsed.protocol === "slack:") {
    const query = parsed.searchParams;
    if (parsed.hostname === "app") return { app: true, tab: query.get("tab") === "messages" ? "messages" : "home" };
    if (parsed.hostname === "channel" && query.get("id")) return { channel: query.get("id"), ts: query.get("message") };
    return null;
  }
  if (parsed.protocol !== "https:" || parsed.hostname !== `${ui.snap.team.domain}.slack.com`) return null;
  const found = parsed.pathname.match(/^\/archives\/([A-Z0-9]+)(?:\/p(\d{7,}))?\/?$/);
  if (!found) return null;
  const ts = found[2] ? `${found[2].slice(0, -6)}.${found[2].slice(-6)}` : null;
  return { channel: found[1], ts, thread: parsed.searchParams.get("thread_ts") };
}

// Follow a link into this workspace; false when it leads elsewhere (open it as a link).
function followInPage(url) {
  const target = permalinkTarget(url);
  if (!target) return false;
  closePopover();
  const im = ui.snap.conversations.find((c) => c.kind === "im");
  if (target.app) {
    if (im) selectConversation(im.id, target.tab);
    return true;
  }
  const conv = ui.snap.conversations.find((c) => c.id === target.channel);
  if (!conv) {
    toast("That message is in a conversation you are not in.");
    return true;
  }
  selectConversation(conv.id, "messages");
  const inThread = Boolean(target.thread && target.thread !== target.ts);
  if (inThread) openThread(target.thread);
  if (target.ts) showMessage(target.ts, inThread);
  return true;
}

function showMessage(ts, inThread) {
  ui.highlight = { ts, until: Date.now() + 4000 };
  ui.keys = {}; // redraw with the highlight
  render();
  const container = inThread ? $("#thread-messages") : $("#messages");
  const found = [...container.querySelectorAll(".message")].find((el) => el.dataset.ts === ts);
  if (!found) {
    toast("That message is no longer there.");
    return;
  }
  found.scrollIntoView({ block: "center" });
}

// `<!date^EPOCH^FORMAT[^LINK]|fallback>`: the moment in the acting member's own zone, in
// Slack's tokens (docs: "Formatting text for app surfaces", date formatting). The fallback
// is what a client shows when it cannot do that; this one can.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th"}`;
}

function zonedParts(epochSeconds, timeZone) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone, year: "numeric", month: "numeric", day: "numeric", weekday: "long",
    hour: "numeric", minute: "2-digit", second: "2-digit", hour12: false,
  });
  for (const part of format.formatToParts(new Date(epochSeconds * 1000))) parts[part.type] = part.value;
  const hour = Number(parts.hour) % 24;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    weekday: parts.weekday, hour, minute: parts.minute, second: parts.second,
  };
}

function slackDate(epoch, format, now, timeZone) {
  const d = zonedParts(epoch, timeZone);
  const today = zonedParts(now, timeZone);
  const dayNumber = (p) => Date.UTC(p.year, p.month - 1, p.day) / 86400000;
  const relative = { "-1": "yesterday", 0: "today", 1: "tomorrow" }[dayNumber(d) - dayNumber(today)];
  const month = MONTHS[d.month - 1];
  const pad = (n) => String(n).padStart(2, "0");
  const clock = (secs) => {
    const h12 = d.hour % 12 || 12;
    return `${h12}:${d.minute}${secs ? `:${d.second}` : ""} ${d.hour < 12 ? "AM" : "PM"}`;
  };
  const dateLong = `${d.weekday}, ${month} ${ordinal(d.day)}, ${d.year}`;
  const dateShort = `${month.slice(0, 3)} ${d.day}, ${d.year}`;
  const date = `${month} ${d.day}`;
  const seconds = now - epoch;
  const ago = () => {
    const size = Math.abs(seconds);
    let amount = Math.floor(size / 86400);
    let unit = "day";
    if (size < 60) return seconds >= 0 ? "just now" : "in a moment";
    if (size < 3600) [amount, unit] = [Math.floor(size / 60), "minute"];
    else if (size < 86400) [amount, unit] = [Math.floor(size / 3600), "hour"];
    const span = `${amount} ${unit}${amount === 1 ? "" : "s"}`;
    return seconds >= 0 ? `${span} ago` : `in ${span}`;
  };
  const tokens = {
    date_num: () => `${d.year}-${pad(d.month)}-${pad(d.day)}`,
    date_slash: () => `${pad(d.day)}/${pad(d.month)}/${d.year}`,
    date_long: () => dateLong,
    date_long_full: () => `${month} ${d.day}, ${d.year}`,
    date_long_pretty: () => relative || dateLong,
    date: () => date,
    date_pretty: () => relative || date,
    date_short: () => dateShort,
    date_short_pretty: () => relative || dateShort,
    day_divider_pretty: () => relative || (d.year === today.year ? `${d.weekday}, ${month} ${ordinal(d.day)}` : dateLong),
    time: () => clock(false),
    time_secs: () => clock(true),
    ago,
  };
  let known = true;
  const text = format.replace(/\{([a-z_]+)\}/g, (whole, token, offset) => {
    if (!tokens[token]) {
      known = false;
      return whole;
    }
    const value = tokens[token]();
    return offset === 0 && token.endsWith("pretty") ? value.charAt(0).toUpperCase() + value.slice(1) : value;
  });
  return known ? text : null;
}

function dateToken(target, label) {
  const [, stamp, format, link] = target.split("^");
  const epoch = Number(stamp);
  const fallback = escapeHtml(unescapeSlack(label));
  const shown = Number.isFinite(epoch) && format && ui.snap ? slackDate(epoch, unescapeSlack(format), ui.snap.clock.epoch, myTz()) : null;
  if (shown === null) return `<span class="date">${fallback}</span>`;
  const title = ` title="${escapeHtml(formatTime(epoch, true))} (${escapeHtml(myTz())})"`;
  const html = `<span class="date" data-epoch="${epoch}"${title}>${escapeHtml(shown)}</span>`;
  const url = link ? unescapeSlack(link) : "";
  return /^https?:/i.test(url) ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${html}</a>` : html;
}

function inline(text) {
  const kept = [];
  const keep = (html) => `\u0001${kept.push(html) - 1}\u0002`;
  let s = text.replace(/`([^`]+)`/g, (_, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  s = s.replace(/<([^<>]+)>/g, (_, inner) => keep(angle(inner)));
  s = escapeHtml(unescapeSlack(s));
  s = s.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1<b>$2</b>");
  s = s.replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?!\w)/g, "$1<i>$2</i>");
  s = s.replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?!\w)/g, "$1<s>$2</s>");
  s = emojify(s);
  return s.replace(/\u0001(\d+)\u0002/g, (_, i) => kept[Number(i)]);
}

function mrkdwn(text) {
  const parts = String(text || "").split("```");
  const out = [];
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      out.push(`<pre class="code-block">${escapeHtml(unescapeSlack(part.replace(/^\n/, "")))}</pre>`);
      return;
    }
    const lines = (i % 2 === 1 ? "```" + part : part).split("\n");
    lines.forEach((line, n) => {
      const quote = line.match(/^(?:&gt;|>)\s?(.*)$/);
      if (quote) out.push(`<div class="quote">${inline(quote[1]) || "&nbsp;"}</div>`);
      else out.push(inline(line) + (n < lines.length - 1 && !/^(?:&gt;|>)/.test(lines[n + 1]) ? "<br>" : ""));
    });
  });
  return out.join("");
}

function textObject(obj) {
  if (!obj) return "";
  if (typeof obj === "string") return mrkdwn(obj);
  if (obj.type === "mrkdwn") return mrkdwn(obj.text);
  const html = escapeHtml(obj.text || "");
  return obj.emoji === false ? html : emojify(html);
}

const span = (obj, cls) => h("span", { class: cls, html: textObject(obj) });

// ------------------------------------------------------------------ block kit
// ctx: {surface: "message"|"modal"|"home", channel, message_ts, view_id}

function renderBlocks(blocks, ctx) {
  const wrap = h("div", { class: "blocks" });
  for (const block of blocks || []) wrap.append(renderBlock(block, ctx));
  return wrap;
}

function renderBlock(block, ctx) {
  const attrs = { class: `block bk-${block.type}`, dataset: { blockId: block.block_id || "" } };
  switch (block.type) {
    case "header":
      return h("div", attrs, span(block.text));
    case "section": {
      const main = h("div", { class: "text" });
      if (block.text) main.append(span(block.text));
      if (block.fields && block.fields.length)
        main.append(h("div", { class: "bk-fields" }, block.fields.map((f) => span(f))));
      return h("div", attrs, main, block.accessory ? renderElement(block.accessory, block, ctx) : null);
    }
    case "context":
      return h(
        "div",
        attrs,
        (block.elements || []).map((el) => (el.type === "image" ? renderImage(el, true) : span(el))),
      );
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "actions":
      return h("div", attrs, (block.elements || []).map((el) => renderElement(el, block, ctx)));
    case "image":
      return h(
        "figure",
        attrs,
        block.title ? h("figcaption", {}, span(block.title)) : null,
        renderImage(block, false),
      );
    case "input":
      return renderInput(block, ctx);
    case "rich_text":
      return h("div", attrs, richText(block.elements || []));
    default:
      return h("div", { class: "block bk-unknown" }, `[${block.type} block: not drawn by the sandbox]`);
  }
}

function richText(elements) {
  const out = [];
  for (const el of elements) {
    if (el.elements) out.push(...richText(el.elements));
    else if (el.type === "text") out.push(el.text);
    else if (el.type === "user") out.push(`@${userName(el.user_id)}`);
    else if (el.type === "emoji") out.push(emojiFor(el.name));
    else if (el.type === "link") out.push(el.text || el.url);
  }
  return out.join("");
}

function isLoopback(url) {
  return /^(data:image\/|\/|https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])/i.test(url || "");
}

function renderImage(el, small) {
  // Images on other hosts are not fetched: everything stays on this machine.
  const url = el.image_url || (el.slack_file && el.slack_file.url) || "";
  if (isLoopback(url)) return h("img", { src: url, alt: el.alt_text || "" });
  return h(
    "span",
    { class: "img-ph", title: `${el.alt_text || "image"} (${url}; not loaded in the sandbox)` },
    small ? "🖼" : `🖼 ${el.alt_text || "image"}`,
  );
}

function optionsOf(el) {
  const options = [...(el.options || [])];
  for (const group of el.option_groups || []) options.push(...(group.options || []));
  return options;
}

const plainText = (obj) => (obj && obj.text) || "";

function selectOptions(el, initialValues, placeholder) {
  const options = [];
  if (placeholder !== null) options.push(h("option", { value: "" }, placeholder || "Select…"));
  for (const option of optionsOf(el)) {
    options.push(
      h("option", { value: option.value, selected: initialValues.includes(option.value) }, plainText(option.text)),
    );
  }
  return options;
}

function peopleOptions(initial) {
  return ui.snap.members.map((id) => h("option", { value: id, selected: initial.includes(id) }, userName(id)));
}

function conversationOptions(initial, publicOnly) {
  return ui.snap.conversations
    .filter((c) => !publicOnly || (c.kind === "channel" && !c.is_private))
    .map((c) =>
      h("option", { value: c.id, selected: initial.includes(c.id) }, c.kind === "im" ? c.name : `#${c.name}`),
    );
}

// Selections as Slack puts them in block_actions (the driver resolves option texts).
function selection(el, control) {
  const picked = control.multiple ? [...control.selectedOptions].map((o) => o.value) : control.value;
  switch (el.type) {
    case "static_select":
    case "overflow":
    case "radio_buttons":
      return { selected_option: picked || null };
    case "multi_static_select":
    case "checkboxes":
      return { selected_options: picked };
    case "users_select":
      return { selected_user: picked || null };
    case "multi_users_select":
      return { selected_users: picked };
    case "datepicker":
      return { selected_date: picked || null };
    case "timepicker":
      return { selected_time: picked || null };
    default:
      return { value: picked };
  }
}

async function dispatchAction(el, block, ctx, extra) {
  if (el.confirm && !(await confirmDialog(el.confirm))) return;
  const where =
    ctx.view_id !== undefined
      ? { view_id: ctx.view_id, state: ctx.surface === "modal" ? collectState($("#modal-layer")) : undefined }
      : { channel: ctx.channel, message_ts: ctx.message_ts };
  await api("/api/action", {
    action_id: el.action_id,
    block_id: block.block_id,
    action_type: el.type,
    ...where,
    ...extra,
  });
}

function renderElement(el, block, ctx) {
  const fire = (extra) => dispatchAction(el, block, ctx, extra);
  switch (el.type) {
    case "button": {
      const cls = `btn${el.style ? " " + el.style : ""}`;
      return h(
        "button",
        {
          type: "button",
          class: cls,
          dataset: { actionId: el.action_id || "" },
          onclick: () => {
            if (el.url && !followInPage(el.url)) window.open(el.url, "_blank", "noopener");
            fire({});
          },
        },
        span(el.text),
      );
    }
    case "overflow":
      return h(
        "button",
        {
          type: "button",
          class: "btn overflow opens-popover",
          "aria-label": "More actions",
          onclick: (event) =>
            openMenu(
              event.currentTarget,
              optionsOf(el).map((o) => [plainText(o.text), () => fire({ selected_option: o.value })]),
            ),
        },
        "⋯",
      );
    case "image":
      return renderImage(el, false);
    default:
      break;
  }
  if (ctx.surface === "modal" && block.type === "input") return renderControl(el, block.block_id, ctx);
  const control = renderControl(el, block.block_id, ctx);
  control.addEventListener("change", (event) => {
    const target = event.target.closest("[data-state]") || event.target;
    fire(selection(el, stateControl(target, el)));
  });
  return control;
}

function stateControl(node, el) {
  if (el.type === "checkboxes")
    return { multiple: true, selectedOptions: [...node.querySelectorAll("input:checked")] };
  if (el.type === "radio_buttons") {
    const checked = node.querySelector("input:checked");
    return { value: checked ? checked.value : "" };
  }
  return node;
}

// Input controls carry data-state so collectState() can build view.state.values.
function renderControl(el, blockId, ctx) {
  const data = { state: el.type, blockId, actionId: el.action_id || "" };
  const placeholder = el.placeholder ? plainText(el.placeholder) : undefined;
  switch (el.type) {
    case "plain_text_input":
      if (el.multiline)
        return h("textarea", { dataset: data, placeholder, maxlength: el.max_length }, el.initial_value || "");
      return h("input", {
        type: "text",
        dataset: data,
        placeholder,
        maxlength: el.max_length,
        value: el.initial_value || "",
      });
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      return h("input", {
        type: { email_text_input: "email", url_text_input: "url", number_input: "number" }[el.type],
        step: el.is_decimal_allowed ? "any" : "1",
        dataset: data,
        placeholder,
        value: el.initial_value || "",
      });
    case "static_select":
      return h(
        "select",
        { dataset: data },
        selectOptions(el, el.initial_option ? [el.initial_option.value] : [], placeholder),
      );
    case "multi_static_select":
      return h(
        "select",
        { dataset: data, multiple: true },
        selectOptions(el, (el.initial_options || []).map((o) => o.value), null),
      );
    case "users_select":
      return h(
        "select",
        { dataset: data },
        h("option", { value: "" }, placeholder || "Choose someone…"),
        peopleOptions(el.initial_user ? [el.initial_user] : []),
      );
    case "multi_users_select":
      return h("select", { dataset: data, multiple: true }, peopleOptions(el.initial_users || []));
    case "conversations_select":
    case "channels_select": {
      const initial = el.initial_conversation || el.initial_channel;
      return h(
        "select",
        { dataset: data },
        h("option", { value: "" }, placeholder || "Choose a conversation…"),
        conversationOptions(initial ? [initial] : [], el.type === "channels_select"),
      );
    }
    case "multi_conversations_select":
    case "multi_channels_select":
      return h(
        "select",
        { dataset: data, multiple: true },
        conversationOptions(el.initial_conversations || el.initial_channels || [], el.type === "multi_channels_select"),
      );
    case "checkboxes":
    case "radio_buttons": {
      const kind = el.type === "checkboxes" ? "checkbox" : "radio";
      const name = `${blockId}-${el.action_id}-${Math.random().toString(36).slice(2)}`;
      const initial =
        el.type === "checkboxes"
          ? (el.initial_options || []).map((o) => o.value)
          : el.initial_option
            ? [el.initial_option.value]
            : [];
      return h(
        "div",
        { dataset: data, role: kind === "radio" ? "radiogroup" : "group" },
        (el.options || []).map((option) =>
          h(
            "label",
            { class: "choice" },
            h("input", { type: kind, name, value: option.value, checked: initial.includes(option.value) }),
            h(
              "span",
              {},
              span(option.text),
              option.description ? h("div", { class: "desc" }, span(option.description)) : null,
            ),
          ),
        ),
      );
    }
    case "datepicker":
      return h("input", { type: "date", dataset: data, value: el.initial_date || "" });
    case "timepicker":
      return h("input", { type: "time", dataset: data, value: el.initial_time || "" });
    case "datetimepicker": {
      let value = "";
      if (el.initial_date_time) value = new Date(el.initial_date_time * 1000).toISOString().slice(0, 16);
      return h("input", { type: "datetime-local", dataset: data, value });
    }
    default:
      return h("span", { class: "bk-unknown" }, `[${el.type}: not available in the sandbox]`);
  }
}

function stateValue(node) {
  const type = node.dataset.state;
  const options = (multiple) => {
    if (node.tagName === "SELECT") {
      const values = [...node.selectedOptions].map((o) => o.value).filter(Boolean);
      return multiple ? values : values[0] || null;
    }
    const values = [...node.querySelectorAll("input:checked")].map((i) => i.value);
    return multiple ? values : values[0] || null;
  };
  const option = (value) => (value ? { value } : null);
  switch (type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      return { type, value: node.value === "" ? null : node.value };
    case "static_select":
    case "radio_buttons":
      return { type, selected_option: option(options(false)) };
    case "multi_static_select":
    case "checkboxes":
      return { type, selected_options: options(true).map((v) => ({ value: v })) };
    case "users_select":
      return { type, selected_user: options(false) };
    case "multi_users_select":
      return { type, selected_users: options(true) };
    case "conversations_select":
      return { type, selected_conversation: options(false) };
    case "multi_conversations_select":
      return { type, selected_conversations: options(true) };
    case "channels_select":
      return { type, selected_channel: options(false) };
    case "multi_channels_select":
      return { type, selected_channels: options(true) };
    case "datepicker":
      return { type, selected_date: node.value || null };
    case "timepicker":
      return { type, selected_time: node.value || null };
    case "datetimepicker":
      return { type, selected_date_time: node.value ? Math.floor(new Date(node.value).getTime() / 1000) : null };
    default:
      return null;
  }
}

function collectState(root) {
  const values = {};
  for (const node of root.querySelectorAll("[data-state]")) {
    const value = stateValue(node);
    if (!value || !node.dataset.blockId) continue;
    (values[node.dataset.blockId] = values[node.dataset.blockId] || {})[node.dataset.actionId] = value;
  }
  return values;
}

function renderInput(block, ctx) {
  const element = block.element || {};
  const control =
    block.dispatch_action && ctx.surface !== "modal"
      ? renderElement(element, block, ctx)
      : renderControl(element, block.block_id, ctx);
  const id = `in-${block.block_id}`;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(control.tagName)) control.id = id;
  return h(
    "div",
    { class: "block bk-input", dataset: { blockId: block.block_id } },
    h(
      "div",
      { class: "label" },
      h("label", { for: id }, span(block.label)),
      block.optional ? h("span", { class: "optional" }, " (optional)") : null,
    ),
    control,
    block.hint ? h("div", { class: "hint" }, span(block.hint)) : null,
    h("div", { class: "field-error", dataset: { errorFor: block.block_id } }),
  );
}

// ------------------------------------------------------------------ dialogs
function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $("#confirm-layer");
    const done = (answer) => {
      layer.hidden = true;
      layer.replaceChildren();
      resolve(answer);
    };
    const style = confirm.style === "danger" ? "btn danger" : "btn primary";
    layer.replaceChildren(
      h(
        "div",
        { class: "modal confirm", role: "dialog", "aria-modal": "true" },
        h("header", {}, h("h2", {}, plainText(confirm.title) || "Are you sure?")),
        h("div", { class: "modal-body" }, h("p", {}, span(confirm.text))),
        h(
          "footer",
          {},
          h("button", { class: "btn", "data-deny": true, onclick: () => done(false) }, plainText(confirm.deny) || "Cancel"),
          h("button", { class: style, onclick: () => done(true) }, plainText(confirm.confirm) || "Yes"),
        ),
      ),
    );
    layer.hidden = false;
  });
}

function openPopover(anchor, content) {
  const pop = $("#popover");
  pop.replaceChildren(content);
  pop.hidden = false;
  const rect = anchor.getBoundingClientRect();
  pop.style.top = `${Math.min(rect.bottom + 4, window.innerHeight - pop.offsetHeight - 8)}px`;
  pop.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - pop.offsetWidth - 8))}px`;
}

function closePopover() {
  $("#popover").hidden = true;
}

function openMenu(anchor, items) {
  openPopover(
    anchor,
    h(
      "div",
      { class: "menu", role: "menu" },
      items.map(([label, run]) =>
        h("button", { type: "button", role: "menuitem", onclick: () => (closePopover(), run()) }, label),
      ),
    ),
  );
}

function openPalette(anchor, channel, ts) {
  openPopover(
    anchor,
    h(
      "div",
      { class: "palette", "aria-label": "Add a reaction" },
      ui.snap.reactions.map((name) =>
        h(
          "button",
          {
            type: "button",
            title: `:${name}:`,
            "aria-label": `React with ${name}`,
            dataset: { emoji: name },
            onclick: () => (closePopover(), api("/api/react", { channel, ts, name })),
          },
          emojiFor(name),
        ),
      ),
    ),
  );
}

document.addEventListener("click", (event) => {
  const pop = $("#popover");
  if (!pop.hidden && !pop.contains(event.target) && !event.target.closest(".opens-popover")) closePopover();
});

// ------------------------------------------------------------------ messages
function avatar(id, isBot) {
  const name = isBot ? ui.snap.bot.name : userName(id);
  const initials = name
    .split(/\s+/)
    .map((w) => w[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  const colour = isBot ? "#611f69" : AVATAR_COLOURS[[...String(id)].reduce((a, c) => a + c.charCodeAt(0), 0) % 6];
  return h("div", { class: "avatar", style: `background:${colour}` }, initials);
}

function renderMessage(message, channel, options) {
  const isBot = Boolean(message.bot_id) || message.user === ui.snap.bot.id || options.ephemeral;
  const fromSlackbot = message.source === "slackbot"; // Slack's own answer, not the app's
  const ctx = { surface: "message", channel, message_ts: message.ts };
  const body = h("div", { class: "msg-body" });
  body.append(
    h(
      "div",
      { class: "msg-head" },
      h("span", { class: "name" }, fromSlackbot ? "Slackbot" : isBot ? ui.snap.bot.name : userName(message.user)),
      isBot && !fromSlackbot ? h("span", { class: "app" }, "APP") : null,
      h("time", { title: formatTime(Number(message.ts), true) }, formatTime(Number(message.ts), options.withDay)),
    ),
  );
  if (options.ephemeral)
    body.append(
      h(
        "div",
        { class: "only-you" },
        "👁 Only visible to you",
        h(
          "button",
          { type: "button", onclick: () => api("/api/dismiss", { channel, ts: message.ts }) },
          "Dismiss",
        ),
      ),
    );
  const blocks = (message.blocks || []).filter((b) => b.type !== "rich_text");
  if (blocks.length) body.append(renderBlocks(blocks, ctx));
  else body.append(h("div", { class: "text", html: mrkdwn(message.text) }));
  if (message.edited) body.append(h("span", { class: "edited" }, " (edited)"));
  if (!options.ephemeral) {
    const reactions = message.reactions || [];
    if (reactions.length)
      body.append(
        h(
          "div",
          { class: "reactions" },
          reactions.map((r) =>
            h(
              "button",
              {
                type: "button",
                class: `reaction${r.users.includes(ui.me) ? " mine" : ""}`,
                title: `${r.users.map(userName).join(", ")} reacted with :${r.name}:`,
                dataset: { emoji: r.name },
                onclick: () => api("/api/react", { channel, ts: message.ts, name: r.name }),
              },
              emojiFor(r.name),
              h("span", { class: "count" }, r.count),
            ),
          ),
        ),
      );
    if (message.reply_count && !options.inThread)
      body.append(
        h(
          "button",
          { type: "button", class: "thread-link", onclick: () => openThread(message.ts) },
          `${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}`,
        ),
      );
  }
  const tools = options.ephemeral
    ? null
    : h(
        "div",
        { class: "msg-actions" },
        h(
          "button",
          {
            type: "button",
            class: "opens-popover",
            title: "Add reaction",
            "aria-label": "Add reaction",
            onclick: (event) => openPalette(event.currentTarget, channel, message.ts),
          },
          "🙂+",
        ),
        options.inThread
          ? null
          : h(
              "button",
              {
                type: "button",
                title: "Reply in thread",
                "aria-label": "Reply in thread",
                onclick: () => openThread(message.ts),
              },
              "💬",
            ),
      );
  const highlighted = ui.highlight && ui.highlight.ts === message.ts && Date.now() < ui.highlight.until;
  return h(
    "div",
    {
      class: `message${options.ephemeral ? " ephemeral" : ""}${highlighted ? " highlight" : ""}`,
      dataset: { ts: message.ts, testid: "message" },
    },
    fromSlackbot ? h("div", { class: "avatar slackbot" }, "S") : avatar(message.user, isBot),
    body,
    tools,
  );
}

function timeline(container, items, channel, options) {
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const now = ui.snap.clock.epoch;
  container.replaceChildren(
    ...items.map((item) =>
      renderMessage(item.message, channel, {
        ...options,
        ephemeral: item.ephemeral,
        withDay: now - Number(item.message.ts) > 20 * 3600,
      }),
    ),
  );
  if (!items.length) container.append(h("div", { class: "empty" }, options.empty || "No messages yet."));
  if (nearBottom || options.scroll) container.scrollTop = container.scrollHeight;
}

// ------------------------------------------------------------------ regions
// Dates in messages ("tomorrow at 10:00 AM") depend on now: redraw when the clock jumps.
const clockKey = () => Math.floor(ui.snap.clock.offset_seconds / 60);

function changed(region, value) {
  const key = JSON.stringify(value);
  if (ui.keys[region] === key) return false;
  ui.keys[region] = key;
  return true;
}

function currentConversation() {
  const list = ui.snap.conversations;
  return list.find((c) => c.id === ui.conv) || list.find((c) => c.bot_is_member && c.kind === "channel") || list[0];
}

function renderSidebar() {
  const snap = ui.snap;
  $("#team-name").textContent = snap.team.name;
  if (changed("members", [snap.members, ui.me])) {
    $("#acting-as").replaceChildren(
      ...snap.members.map((id) => h("option", { value: id, selected: id === ui.me }, userName(id))),
    );
  }
  const conv = currentConversation();
  if (changed("nav", [snap.conversations, conv.id, ui.tab])) {
    const item = (c, label, tab) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: c.id === conv.id && (!tab || tab === ui.tab) ? "active" : "",
            dataset: { testid: `conv-${tab ? `app-${tab}` : c.name}` },
            onclick: () => selectConversation(c.id, tab || "messages"),
          },
          label,
        ),
      );
    $("#channel-list").replaceChildren(
      ...snap.conversations
        .filter((c) => c.kind === "channel")
        .map((c) => item(c, `${c.is_private ? "🔒" : "#"} ${c.name}`)),
    );
    const im = snap.conversations.find((c) => c.kind === "im");
    $("#app-list").replaceChildren(
      ...(im ? [item(im, "🤖 Council Bot · Home", "home"), item(im, "🤖 Council Bot · Messages", "messages")] : []),
    );
  }
  if (changed("hints", snap.commands))
    $("#command-hints").replaceChildren(...snap.commands.map((c) => h("option", { value: c })));
}

function renderClock() {
  const clock = ui.snap.clock;
  $("#clock-now").textContent = `${formatTime(clock.epoch, true)} (${myTz()})`;
  const aheadText =
    clock.offset_seconds < 60 ? "Real time." : `${duration(clock.offset_seconds)} ahead of real time.`;
  let reminders = " Reminder engine: not wired into the app yet.";
  if (clock.reminders_wired)
    reminders = clock.next_due_at
      ? ` Next reminder: ${formatTime(Date.parse(clock.next_due_at) / 1000, true)}.`
      : " No reminder waiting.";
  $("#clock-offset").textContent = aheadText + reminders;
  $("#ff-next").disabled = !clock.reminders_wired || !clock.next_due_at;
  if (changed("notes", [ui.snap.notes, ui.snap.calls])) {
    $("#notes").replaceChildren(
      ...ui.snap.notes.map((n) => h("li", { class: n.level }, n.text)),
      ...(ui.snap.notes.length ? [] : [h("li", {}, "Nothing yet.")]),
    );
    $("#calls").replaceChildren(
      ...ui.snap.calls.map((c) =>
        h("li", { class: c.ok ? "" : "warning" }, `${c.method} → ${c.ok ? "ok" : c.error || c.status}`),
      ),
    );
  }
}

function renderMain() {
  const snap = ui.snap;
  const conv = currentConversation();
  const isIm = conv.kind === "im";
  if (!isIm) ui.tab = "messages";
  $("#conv-title").textContent = isIm ? "🤖 Council Bot" : `${conv.is_private ? "🔒" : "#"} ${conv.name}`;
  $("#conv-purpose").textContent = isIm
    ? "The bot's App Home and your private messages with it"
    : `${conv.purpose || ""}${conv.bot_is_member ? "" : " (Council Bot is not in this channel)"}`;
  $("#tabs").hidden = !isIm;
  for (const tab of document.querySelectorAll("#tabs button")) tab.classList.toggle("active", tab.dataset.tab === ui.tab);
  const home = ui.tab === "home";
  const readOnly = isIm && snap.app.messages_tab_read_only;
  $("#home").hidden = !home;
  $("#messages").hidden = home;
  $("#composer").classList.toggle("disabled", home || readOnly);
  $("#read-only").hidden = home || !readOnly;
  $("#read-only").textContent = snap.app.read_only_note;

  if (home) {
    if (changed("home", [snap.home && snap.home.id, snap.home && snap.home.hash, ui.me, clockKey()])) {
      const view = snap.home;
      $("#home").replaceChildren(
        view
          ? renderBlocks(view.blocks, { surface: "home", view_id: view.id })
          : h("div", { class: "empty" }, "Opening Home…"),
      );
    }
    return;
  }
  const items = [
    ...(snap.messages[conv.id] || []).map((message) => ({ message, ephemeral: false })),
    ...snap.ephemerals
      .filter((e) => e.channel === conv.id && !e.thread_ts)
      .map((message) => ({ message, ephemeral: true })),
  ].sort((a, b) => Number(a.message.ts) - Number(b.message.ts));
  if (changed("messages", [conv.id, items, ui.me, snap.users, clockKey()]))
    timeline($("#messages"), items, conv.id, { empty: "No messages yet. Try typing /mission below." });
}

function renderThread() {
  const pane = $("#thread");
  const conv = currentConversation();
  const parent = ui.thread && (ui.snap.messages[conv.id] || []).find((m) => m.ts === ui.thread);
  if (!parent || ui.tab === "home") {
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const items = [
    { message: parent, ephemeral: false },
    ...(parent.replies || []).map((message) => ({ message, ephemeral: false })),
    ...ui.snap.ephemerals
      .filter((e) => e.channel === conv.id && e.thread_ts === parent.ts)
      .map((message) => ({ message, ephemeral: true })),
  ].sort((a, b) => Number(a.message.ts) - Number(b.message.ts));
  $("#thread-composer").hidden = conv.kind === "im" && ui.snap.app.messages_tab_read_only;
  if (changed("thread", [conv.id, items, ui.me, clockKey()]))
    timeline($("#thread-messages"), items, conv.id, { inThread: true });
}

// The modal is redrawn only when the app changes the view (id or hash), so what the
// member typed survives polling; values of fields kept across views.update are carried
// over, as Slack does. Validation errors are written next to the fields in place.
function renderModal() {
  const layer = $("#modal-layer");
  const stack = ui.snap.modal.stack;
  const view = stack[stack.length - 1];
  if (!view) {
    layer.hidden = true;
    layer.replaceChildren();
    ui.modalKey = null;
    ui.keptByView = {};
    return;
  }
  const key = `${view.id}:${view.hash}`;
  if (ui.modalKey !== key) {
    // What was typed stays with its view: across views.update, and under a pushed view.
    if (ui.modalKey) ui.keptByView[ui.modalKey.split(":")[0]] = keepValues(layer);
    const kept = ui.keptByView[view.id];
    ui.modalKey = key;
    const ctx = { surface: "modal", view_id: view.id };
    const close = () => api("/api/close", { view_id: view.id });
    layer.replaceChildren(
      h(
        "div",
        { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": plainText(view.title), dataset: { testid: "modal" } },
        h(
          "header",
          {},
          stack.length > 1 ? h("button", { type: "button", "aria-label": "Back", onclick: close }, "‹") : null,
          h("h2", {}, span(view.title)),
          h("button", { type: "button", "aria-label": "Close", onclick: close }, "×"),
        ),
        h("div", { class: "modal-body" }, renderBlocks(view.blocks, ctx)),
        h(
          "footer",
          {},
          h("button", { type: "button", class: "btn", onclick: close }, plainText(view.close) || "Close"),
          view.submit
            ? h(
                "button",
                {
                  type: "button",
                  class: "btn primary",
                  dataset: { testid: "modal-submit" },
                  disabled: view.submit_disabled,
                  onclick: () => api("/api/submit", { view_id: view.id, values: collectState(layer) }),
                },
                plainText(view.submit),
              )
            : null,
        ),
      ),
    );
    if (kept) restoreValues(layer, kept);
    layer.hidden = false;
  }
  for (const slot of layer.querySelectorAll(".field-error")) {
    const message = ui.snap.modal.errors[slot.dataset.errorFor] || "";
    slot.textContent = message;
    slot.closest(".bk-input").classList.toggle("has-error", Boolean(message));
  }
}

function keepValues(root) {
  const kept = {};
  for (const node of root.querySelectorAll("[data-state]")) {
    const inputs = node.matches("input, textarea, select") ? [node] : [...node.querySelectorAll("input")];
    kept[`${node.dataset.blockId}/${node.dataset.actionId}`] = inputs.map((i) =>
      i.tagName === "SELECT" ? [...i.options].map((o) => o.selected) : i.type === "checkbox" || i.type === "radio" ? i.checked : i.value,
    );
  }
  return kept;
}

function restoreValues(root, kept) {
  for (const node of root.querySelectorAll("[data-state]")) {
    const saved = kept[`${node.dataset.blockId}/${node.dataset.actionId}`];
    if (!saved) continue;
    const inputs = node.matches("input, textarea, select") ? [node] : [...node.querySelectorAll("input")];
    inputs.forEach((input, i) => {
      if (saved[i] === undefined) return;
      if (input.tagName === "SELECT") [...input.options].forEach((o, j) => (o.selected = Boolean(saved[i][j])));
      else if (input.type === "checkbox" || input.type === "radio") input.checked = saved[i];
      else input.value = saved[i];
    });
  }
}

function render() {
  renderSidebar();
  renderClock();
  renderMain();
  renderThread();
  renderModal();
}

// ------------------------------------------------------------------ navigation
function setNav(open) {
  document.body.classList.toggle("nav-open", open);
  $("#nav-toggle").setAttribute("aria-expanded", String(open));
}

function selectConversation(id, tab) {
  setNav(false);
  ui.conv = id;
  ui.tab = tab || "messages";
  ui.thread = null;
  localStorage.setItem("sandbox.conv", id);
  if (ui.tab === "home") api("/api/home", {});
  if (ui.snap) render();
}

function openThread(ts) {
  ui.thread = ts;
  if (ui.snap) render();
  $("#thread-input").focus();
}

function actAs(id) {
  ui.me = id;
  localStorage.setItem("sandbox.me", id);
  ui.thread = null;
  ui.keys = {};
  ui.modalKey = null;
  ui.keptByView = {};
  closePopover();
  refresh().then(() => {
    if (ui.tab === "home") api("/api/home", {});
  });
}

// ------------------------------------------------------------------ polling
let polling = null;
let pollAgain = false;

// One request at a time; a refresh asked for meanwhile runs right after (an action's
// result must not be hidden by a poll that started before it).
async function refresh() {
  if (polling) {
    pollAgain = true;
    return polling;
  }
  polling = (async () => {
    do {
      pollAgain = false;
      try {
        const asked = ui.me;
        const response = await fetch(`/api/state?user=${encodeURIComponent(asked || "")}`);
        const snap = await response.json();
        if (ui.me !== asked) {
          // The member was switched while this request was out: its answer is for the
          // previous member and must not switch the page back. Ask again.
          pollAgain = true;
          continue;
        }
        if (snap.me) {
          ui.me = snap.me;
          ui.snap = snap;
          render();
        } else {
          ui.me = ""; // a member remembered from another demo: start as the first one
        }
      } catch (error) {
        // the sandbox stopped or restarted; keep trying
      }
    } while (pollAgain);
    polling = null;
  })();
  return polling;
}

function loop() {
  refresh().finally(() => setTimeout(loop, POLL_MS));
}

// ------------------------------------------------------------------ wiring
$("#acting-as").addEventListener("change", (event) => actAs(event.target.value));

$("#tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("button[data-tab]");
  if (tab) selectConversation(currentConversation().id, tab.dataset.tab);
});

$("#composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#composer-input");
  const text = input.value.trim();
  if (!text || !ui.snap) return;
  input.value = "";
  const channel = currentConversation().id;
  if (text.startsWith("/")) await api("/api/command", { channel, text });
  else await api("/api/reply", { channel, text });
});

$("#thread-composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#thread-input");
  const text = input.value.trim();
  if (!text || !ui.thread) return;
  input.value = "";
  await api("/api/reply", { channel: currentConversation().id, text, thread_ts: ui.thread });
});

$("#thread-close").addEventListener("click", () => {
  ui.thread = null;
  render();
});

async function fastForward(body) {
  const answer = await api("/api/fast-forward", body);
  if (answer.note) $("#clock-note").textContent = answer.note;
}

for (const button of document.querySelectorAll("#clock-panel button[data-minutes]"))
  button.addEventListener("click", () => fastForward({ minutes: Number(button.dataset.minutes) }));

$("#ff-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const amount = Number($("#ff-amount").value);
  if (amount > 0) fastForward({ minutes: amount * Number($("#ff-unit").value) });
});

$("#ff-next").addEventListener("click", () => fastForward({ next: true }));

// Esc closes what is on top, as in Slack: a confirmation (Cancel), a menu, the
// conversation list, then the modal (its Close).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const confirmLayer = $("#confirm-layer");
  if (!confirmLayer.hidden) return confirmLayer.querySelector("[data-deny]").click();
  if (!$("#popover").hidden) return closePopover();
  if (document.body.classList.contains("nav-open")) return setNav(false);
  const stack = ui.snap ? ui.snap.modal.stack : [];
  if (stack.length) {
    event.preventDefault();
    api("/api/close", { view_id: stack[stack.length - 1].id });
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (link && followInPage(link.getAttribute("href"))) event.preventDefault();
});

$("#nav-toggle").addEventListener("click", () => setNav(!document.body.classList.contains("nav-open")));

document.addEventListener("click", (event) => {
  if (!document.body.classList.contains("nav-open")) return;
  if (!event.target.closest("#sidebar") && !event.target.closest("#nav-toggle")) setNav(false);
});

loop();
loadEmoji().then(() => {
  ui.keys = {}; // draw again, now with the emoji
  if (ui.snap) render();
});
