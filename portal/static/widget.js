/* Assistant ENT: the chat widget. It talks only to the portal (same origin):
 * POST /api/chat, POST /api/conversation, POST /api/feedback, GET /api/status. The page
 * gives it the person's signed token through window.EntChat.setIdentity(login, token).
 * The conversation id is the portal's (an HttpOnly cookie): the widget never sees it. */
(function () {
  "use strict";
  const KEY = "ent-assistant:v1"; // sessionStorage: kept across a reload, gone with the tab
  const MAX_KEPT = 120;
  const $ = (id) => document.getElementById(id);
  const el = {
    launcher: $("chat-launcher"), panel: $("chat-panel"), close: $("chat-close"), reset: $("chat-reset"),
    log: $("chat-log"), typing: $("chat-typing"), status: $("chat-status"), form: $("chat-form"), input: $("chat-input"),
    send: $("chat-send"), notice: $("chat-notice"),
  };
  const MAX_LENGTH = 2000; // the input's maxlength, and the portal's limit
  // When the chat covers the page (phone width, or desktop zoom >= about 215 %), it behaves as a modal
  // dialog: focus stays inside (WCAG 2.4.11). Same breakpoints as widget.css.
  const COVERS = window.matchMedia("(max-width: 600px), (max-height: 500px)");
  // Markdown from the answers; raw HTML is never interpreted (html: false), then DOMPurify keeps a short allow-list.
  const md = window.markdownit({ html: false, linkify: true, breaks: true });
  const SAFE = {
    ALLOWED_TAGS: ["p", "br", "strong", "em", "ul", "ol", "li", "a", "code"],
    ALLOWED_ATTR: ["href", "start"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    RETURN_DOM_FRAGMENT: true,
  };

  let state = load();
  let identity = { login: state.login, token: null };
  let busy = false;
  let retryTimer = null;
  let retryDelay = 2000;
  let ids = 0;

  // --- state, kept in sessionStorage (the messages shown; the conversation id is the portal's) ---
  const FALLBACK = "Ce message n'a pas pu être envoyé.";
  const NO_REPLY = "Je n'ai pas de réponse à vous proposer pour ce message. Pouvez-vous reformuler votre question en quelques mots ?";
  function fresh(login) { return { login: login || "", open: false, messages: [] }; }
  function load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY));
      if (saved && Array.isArray(saved.messages)) { delete saved.sender; return saved; }
    } catch (e) { /* unreadable: start again */ }
    return fresh("");
  }
  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage full or disabled */ }
  }

  // --- rendering ----------------------------------------------------------------
  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function hidden(text) { return node("span", "sr-only", text); }
  // In a chat answer, a line right after a list item starts a new paragraph (not a "lazy" continuation).
  const ITEM = /^\s*([-*+]|\d+[.)])\s/;
  function endLists(text) {
    const lines = text.split("\n");
    return lines.map((line, i) => (i > 0 && ITEM.test(lines[i - 1]) && /^\S/.test(line) && !ITEM.test(line) ? "\n" + line : line)).join("\n");
  }
  // A raw address as link text is long and read out in full: show the site's name instead.
  function linkLabel(a) {
    const text = a.textContent.trim();
    if (!/^(https?:\/\/|www\.|mailto:)/i.test(text)) return;
    try {
      const url = new URL(a.href);
      a.textContent = url.protocol === "mailto:" ? url.pathname : "site " + url.hostname.replace(/^www\./, "");
      a.title = a.href;
    } catch (e) { /* not a URL: keep the text */ }
  }
  function markdown(text) {
    const fragment = DOMPurify.sanitize(md.render(endLists(text)), SAFE);
    fragment.querySelectorAll("a").forEach((a) => {
      linkLabel(a);
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.append(hidden(" (nouvel onglet)"));
    });
    return fragment;
  }
  const WHO = { user: "Vous : ", bot: "L'assistant : ", info: "Information : " };
  function bubble(msg) {
    const item = node("div", "msg msg-" + msg.who + (msg.failed ? " msg-failed" : ""));
    item.append(hidden(WHO[msg.who]));
    const body = node("div", "msg-body");
    if (msg.who === "bot") body.append(markdown(msg.text));
    else body.textContent = msg.text; // what people type is always shown as text
    item.append(body);
    if (msg.failed) item.append(node("p", "msg-note", "Message non envoyé"));
    if (msg.buttons && msg.buttons.length) item.append(quickReplies(msg.buttons));
    if (msg.feedback) item.append(feedbackBlock(msg));
    return item;
  }
  function quickReplies(buttons) {
    const group = node("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    buttons.forEach((b) => {
      const button = node("button", "quick-reply", b.title);
      button.type = "button";
      button.addEventListener("click", () => send(b.payload, b.shown || b.title));
      group.append(button);
    });
    return group;
  }
  // After a 👎: rephrase, or hand the question to a person (the assistant offers both).
  function afterThumbsDown() {
    const box = node("div", "feedback feedback-done");
    box.append(node("p", "", "Merci pour votre avis. Vous pouvez reformuler votre question, ou la transmettre à une personne."));
    const group = node("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Que faire de cette réponse ?");
    const rephrase = node("button", "quick-reply", "Reformuler ma question");
    rephrase.type = "button";
    rephrase.addEventListener("click", () => { el.input.placeholder = "Reformulez votre question…"; el.input.focus(); });
    const handoff = node("button", "quick-reply", "Transmettre ma question à une personne");
    handoff.type = "button";
    handoff.addEventListener("click", () => send("/handoff_request", "Cette réponse ne m'aide pas"));
    group.append(rephrase, handoff);
    box.append(group);
    return box;
  }
  function feedbackBlock(msg) {
    if (msg.vote === "down" && !msg.followed) return afterThumbsDown();
    if (msg.vote) return node("p", "feedback feedback-done", "Merci pour votre avis.");
    const box = node("div", "feedback");
    const question = node("span", "feedback-question", "Cette réponse vous a-t-elle aidé ?");
    question.id = "feedback-" + ++ids;
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", question.id);
    box.append(question);
    [["up", "👍", "Oui"], ["down", "👎", "Non"]].forEach(([vote, icon, label]) => {
      const button = node("button", "feedback-vote");
      const emoji = node("span", "", icon);
      emoji.setAttribute("aria-hidden", "true");
      button.append(emoji, " " + label);
      button.type = "button";
      button.dataset.vote = vote;
      button.addEventListener("click", () => sendVote(msg, vote, box));
      box.append(button);
    });
    return box;
  }
  function renderAll() {
    el.log.replaceChildren(...state.messages.map(bubble));
    scrollDown();
  }
  function scrollDown() { el.log.scrollTop = el.log.scrollHeight; }
  // A long answer is read from its start: show the turn from its first message (the browser clamps).
  function showTurn(index) {
    const first = el.log.children[index];
    if (first) el.log.scrollTop = first.offsetTop - 8;
  }
  function append(msg) {
    state.messages.push(msg);
    save();
    el.log.append(bubble(msg));
    scrollDown();
    return msg;
  }
  function info(text, buttons) { return append({ who: "info", text, buttons: buttons || [] }); }
  function typing(on) {
    el.typing.replaceChildren();
    el.typing.classList.toggle("on", on);
    if (!on) return;
    const dots = node("span", "dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(node("i"), node("i"), node("i"));
    el.typing.append(dots, " L'assistant écrit…");
  }
  function clearQuickReplies() {
    const hadFocus = el.log.contains(document.activeElement) && document.activeElement.classList.contains("quick-reply");
    state.messages.forEach((m) => { m.buttons = []; if (m.vote) m.followed = true; });
    el.log.querySelectorAll(".feedback-done .quick-replies").forEach((group) => group.remove());
    el.log.querySelectorAll(".quick-replies").forEach((group) => group.remove());
    if (hadFocus) el.input.focus();
  }

  // --- talking to the portal ------------------------------------------------------
  async function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }
  function pending(on) {
    busy = on;
    if (on) el.form.setAttribute("aria-busy", "true");
    else el.form.removeAttribute("aria-busy");
    // aria-disabled, not disabled: the button keeps its focus and says why it waits.
    el.send.setAttribute("aria-disabled", on ? "true" : "false");
    el.send.textContent = on ? "Patientez…" : "Envoyer";
    if (!on) notice("");
  }
  function notice(text) { el.notice.textContent = text; el.notice.hidden = !text; }
  async function send(text, shown, silent) {
    if (busy || !text || !text.trim()) return false;
    pending(true);
    clearQuickReplies();
    const turnStart = el.log.children.length;
    const mine = silent ? null : append({ who: "user", text: shown || text });
    typing(true);
    try {
      const metadata = identity.token ? { ent_token: identity.token } : {};
      const response = await post("/api/chat", { message: text, metadata });
      if (response.status >= 400 && response.status < 500) {
        // Refused by the portal (too long, malformed, too many messages...): say why, in its words.
        online();
        if (mine) { mine.failed = true; save(); renderAll(); }
        info(await refusal(response));
        return true;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      online();
      const replies = (data.messages || []).filter((m) => m && typeof m.text === "string" && m.text.trim());
      if (!replies.length) info(NO_REPLY); // never an empty bubble
      replies.forEach((m) => append({ who: "bot", text: m.text, buttons: m.buttons || [], feedback: m.feedback || null, vote: null }));
      showTurn(turnStart);
      return true;
    } catch (e) {
      if (mine) { mine.failed = true; mine.retry = text; save(); renderAll(); }
      info("L'assistant est injoignable pour le moment : votre message n'a pas été envoyé. Nouvelle tentative de connexion automatique.");
      offline();
      return false;
    } finally {
      typing(false);
      pending(false);
    }
  }
  async function refusal(response) {
    try {
      const body = await response.json();
      if (body && typeof body.message === "string" && body.message.trim()) return body.message;
    } catch (e) { /* not JSON */ }
    return FALLBACK;
  }
  async function sendVote(msg, vote, box) {
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const response = await post("/api/feedback", { ticket: msg.feedback, vote });
      if (!response.ok && response.status !== 409) throw new Error("HTTP " + response.status);
      msg.vote = vote;
      save();
      const thanks = feedbackBlock(msg);
      thanks.tabIndex = -1;
      box.replaceWith(thanks);
      thanks.focus();
    } catch (e) {
      box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      if (!box.querySelector(".msg-note")) box.append(node("span", "msg-note", "Avis non enregistré, réessayez."));
    }
  }
  function greet() {
    if (!state.messages.some((m) => m.who === "bot")) send("/greet", null, true);
  }

  // --- connection state ------------------------------------------------------------
  function setStatus(kind, text) { el.status.dataset.state = kind; el.status.textContent = text; }
  function online() {
    const wasDown = el.status.dataset.state === "down";
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDelay = 2000;
    setStatus("ok", "En ligne");
    if (wasDown) reconnected();
  }
  function offline() {
    if (el.status.dataset.state !== "down") setStatus("down", "Assistant injoignable — reconnexion automatique…");
    if (!retryTimer) retryTimer = setTimeout(probe, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  }
  async function probe() {
    retryTimer = null;
    try {
      const response = await fetch("/api/status", { cache: "no-store" });
      if (response.ok) return online();
    } catch (e) { /* still unreachable */ }
    offline();
  }
  function reconnected() {
    const failed = state.messages.filter((m) => m.failed && m.retry).pop();
    const buttons = failed ? [{ title: "Renvoyer mon message", payload: failed.retry, shown: failed.text }] : [];
    state.messages.forEach((m) => { delete m.retry; });
    info("Connexion rétablie.", buttons);
    greet();
  }

  // --- opening and closing -----------------------------------------------------------
  function open(focus) {
    el.panel.hidden = false;
    el.launcher.setAttribute("aria-expanded", "true");
    covering();
    document.body.classList.add("chat-open");
    state.open = true;
    save();
    scrollDown();
    if (focus !== false) el.input.focus();
    if (el.status.dataset.state === "unknown") probe().then(greet);
    else greet();
  }
  function close() {
    el.panel.hidden = true;
    el.launcher.setAttribute("aria-expanded", "false");
    document.body.classList.remove("chat-open");
    state.open = false;
    save();
    el.launcher.focus();
  }
  // While the chat covers the page, it is modal: Tab and Shift+Tab go round inside it.
  function covering() { el.panel.setAttribute("aria-modal", COVERS.matches ? "true" : "false"); }
  function focusables() {
    return [...el.panel.querySelectorAll("button, input, [href], [tabindex]:not([tabindex='-1'])")]
      .filter((e) => !e.disabled && e.offsetParent !== null);
  }
  function trapTab(event) {
    if (event.key !== "Tab" || !COVERS.matches || el.panel.hidden) return;
    const items = focusables();
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !el.panel.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !el.panel.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  }
  async function confirmReset() {
    // Only when something would be lost: what the person wrote.
    if (state.messages.some((m) => m.who === "user") &&
        !window.confirm("Effacer cette conversation et en commencer une nouvelle ?")) return;
    reset(true);
  }
  async function reset(focus) {
    const wasOpen = state.open;
    state = fresh(identity.login);
    state.open = wasOpen;
    save();
    renderAll();
    if (focus) el.input.focus();
    try { await post("/api/conversation", {}); } catch (e) { /* unreachable: the next message says so */ }
    if (state.open) greet();
  }

  el.launcher.addEventListener("click", () => (el.panel.hidden ? open() : close()));
  el.close.addEventListener("click", close);
  el.reset.addEventListener("click", confirmReset);
  el.panel.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); close(); } });
  document.addEventListener("keydown", trapTab);
  document.addEventListener("focusin", (event) => {
    if (COVERS.matches && !el.panel.hidden && !el.panel.contains(event.target)) el.input.focus();
  });
  COVERS.addEventListener("change", covering);
  el.input.addEventListener("paste", (event) => {
    const pasted = (event.clipboardData && event.clipboardData.getData("text")) || "";
    const kept = el.input.value.length - (el.input.selectionEnd - el.input.selectionStart);
    if (kept + pasted.length > MAX_LENGTH) {
      notice("Votre texte dépasse 2 000 caractères : seuls les 2 000 premiers ont été gardés. Raccourcissez-le si besoin.");
    }
  });
  el.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = el.input.value;
    if (busy) { notice("Patientez : l'assistant répond encore à votre message précédent. Votre texte est gardé."); return; }
    if (!text.trim()) return;
    el.input.value = "";
    el.input.placeholder = "Posez votre question…";
    await send(text.trim());
  });

  window.EntChat = {
    /** The person chatting: a demo login (or "") and the portal's signed token (or null). */
    setIdentity(login, token) {
      identity = { login: login || "", token: token || null };
      if (identity.login !== state.login) reset(false); // another person: another conversation
    },
  };
  document.addEventListener("DOMContentLoaded", () => {
    renderAll();
    if (state.open) open(false);
  });
})();
