// The Bokbot web chat: signs in over the websocket (/ws), keeps the conversation for this
// browser tab, and shows the assistant's replies, buttons, pictures and files. The microphone
// button records a spoken message (MediaRecorder) for /api/v1/chat/voice.
// No framework, no inline code (the page's Content-Security-Policy forbids it), and text
// from the server is only ever set as text, never as HTML.

const TOKEN_KEY = "bokbot.token";
const TRANSCRIPT_KEY = "bokbot.transcript";
const TRANSCRIPT_LIMIT = 200;
const SIGN_IN_FAILED = 4401;
const TRY_AGAIN_LATER = 1013; // the books could not be reached: the status says so until the next try

const $ = (id) => document.getElementById(id);

let texts = {};
let socket = null;
let signedIn = false;
let leaving = false; // the page closed the socket on purpose
let retryDelay = 1000;
let transcript = [];
const pending = new Map(); // message id -> text: sent, not yet answered (resent after a reconnect)
let recorder = null; // the microphone's recording while the person speaks
let spokenInFlight = 0; // spoken messages sent, not yet answered
let filesInFlight = 0; // files sent, not yet answered

// Language: Norwegian for Norwegian browsers, English otherwise.

function pickLanguage(languages) {
  for (const tag of languages) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (["nb", "nn", "no"].includes(primary)) return "nb";
    if (primary === "en") return "en";
  }
  return "en";
}

function t(key, values = {}) {
  const found = key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), texts);
  const template = typeof found === "string" ? found : key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (values[name] == null ? "" : String(values[name])));
}

function applyTexts() {
  for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
  for (const el of document.querySelectorAll("[data-placeholder]")) el.placeholder = t(el.dataset.placeholder);
  for (const el of document.querySelectorAll("[data-label]")) el.setAttribute("aria-label", t(el.dataset.label));
}

// Sign-in state: the token lives in sessionStorage (this tab only), never in an address.

function tokenFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (location.hash) window.history.replaceState(null, "", location.pathname + location.search);
  return token;
}

function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function forgetSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(TRANSCRIPT_KEY);
  transcript = [];
  pending.clear();
  $("log").replaceChildren();
  updateTyping();
}

function loadTranscript() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(TRANSCRIPT_KEY) || "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

function saveTranscript() {
  transcript = transcript.slice(-TRANSCRIPT_LIMIT);
  sessionStorage.setItem(TRANSCRIPT_KEY, JSON.stringify(transcript));
}

// Views.

function show(view) {
  $("sign-in").hidden = view !== "sign-in";
  $("chat").hidden = view !== "chat";
  $("sign-out").hidden = view !== "chat";
  $("who").hidden = view !== "chat" || !$("who").textContent;
  if (view === "sign-in") $("code").focus();
}

function setStatus(text) {
  $("status").textContent = text;
}

function updateTyping() {
  $("typing").hidden = pending.size === 0 && spokenInFlight === 0 && filesInFlight === 0;
  scrollToEnd();
}

function scrollToEnd() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
}

// The websocket.

function connect(hello) {
  leaving = false;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
  socket = ws;
  ws.addEventListener("open", () => ws.send(JSON.stringify(hello)));
  ws.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(frame, hello);
  });
  ws.addEventListener("close", (event) => closed(event, ws));
}

function receive(frame, hello) {
  if (frame.type === "welcome") welcomed(frame);
  else if (frame.type === "reply") replied(frame);
  else if (frame.type === "error") failed(frame, hello);
}

function welcomed(frame) {
  if (frame.token) sessionStorage.setItem(TOKEN_KEY, frame.token);
  signedIn = true;
  retryDelay = 1000;
  setStatus("");
  $("who").textContent = frame.company ? t("signedInAs", frame) : frame.name;
  show("chat");
  if (transcript.length === 0) addEntry({ from: "bot", text: t("greeting", frame) });
  for (const [id, text] of pending) transmit(id, text);
  $("message").focus();
}

function replied(frame) {
  pending.delete(frame.id);
  for (const message of frame.messages || []) {
    addEntry({
      from: "bot",
      text: message.text || "",
      buttons: message.buttons || [],
      image: message.image || null,
      attachment: message.attachment || null,
    });
  }
  updateTyping();
}

function failed(frame, hello) {
  if (frame.code === "sign_in_failed") {
    signedIn = false;
    forgetSession();
    show("sign-in");
    $("sign-in-error").textContent = t(hello.code ? "errors.sign_in_failed" : "errors.session_expired");
    setStatus("");
    return;
  }
  if (frame.code === "books_unavailable" && !signedIn) {
    // Signing in could not reach the books: say so; the socket closes and is opened again.
    if (hello.code) $("sign-in-error").textContent = t("errors.books_unavailable");
    else setStatus(t("errors.books_unavailable"));
    return;
  }
  if (frame.id) pending.delete(frame.id);
  addEntry({ from: "system", text: t(`errors.${frame.code}`) });
  updateTyping();
}

function closed(event, ws) {
  if (ws !== socket || leaving || event.code === SIGN_IN_FAILED || !storedToken()) return;
  signedIn = false;
  if (event.code !== TRY_AGAIN_LATER) setStatus(t("reconnecting"));
  setTimeout(() => {
    if (ws === socket && !leaving && storedToken()) connect({ type: "hello", token: storedToken() });
  }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 15000);
}

function transmit(id, text) {
  if (socket && socket.readyState === WebSocket.OPEN && signedIn) {
    socket.send(JSON.stringify({ type: "message", id, text }));
  }
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // plain http on a LAN: no randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sendMessage(text, shownAs = text) {
  const id = newId();
  addEntry({ from: "me", text: shownAs });
  pending.set(id, text);
  transmit(id, text);
  updateTyping();
}

// The conversation as the person sees it.

function addEntry(entry) {
  transcript.push(entry);
  saveTranscript();
  $("log").append(render(entry));
  scrollToEnd();
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text != null) el.textContent = text;
  return el;
}

function render(entry) {
  const item = element("li", `message from-${entry.from}`);
  const speaker = entry.from === "me" ? t("you") : t("assistant");
  item.append(element("span", "visually-hidden", `${speaker}: `));
  const bubble = element("div", "bubble");
  if (entry.text) bubble.append(element("p", "text", entry.text));
  if (entry.image) bubble.append(picture(entry.image, entry.text));
  if (entry.attachment) bubble.append(fileLink(entry.attachment));
  item.append(bubble);
  if (entry.buttons && entry.buttons.length) item.append(choices(entry));
  return item;
}

function choices(entry) {
  const group = element("div", "choices");
  group.setAttribute("role", "group");
  for (const button of entry.buttons) {
    const el = element("button", "choice", button.title);
    el.type = "button";
    el.disabled = Boolean(entry.chosen);
    if (entry.chosen === button.payload) el.classList.add("chosen");
    el.addEventListener("click", () => {
      entry.chosen = button.payload;
      saveTranscript();
      for (const other of group.querySelectorAll("button")) other.disabled = true;
      el.classList.add("chosen");
      sendMessage(button.payload, button.title);
      $("message").focus();
    });
    group.append(el);
  }
  return group;
}

function sameOrigin(address) {
  try {
    return new URL(address, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

function fileName(address, response) {
  const disposition = response && response.headers.get("Content-Disposition");
  const quoted = disposition && /filename="?([^";]+)"?/i.exec(disposition);
  if (quoted) return quoted[1];
  const path = new URL(address, location.href).pathname;
  return decodeURIComponent(path.split("/").pop() || "file");
}

// Files from the REST API need the token: fetched with it, offered as a download.
function authorisedFetch(address) {
  return fetch(new URL(address, location.href), {
    headers: { Authorization: `Bearer ${storedToken()}` },
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
  });
}

function picture(address, description) {
  const figure = element("figure", "picture");
  const img = element("img");
  img.alt = description || t("picture");
  img.addEventListener("error", () => figure.replaceChildren(element("p", "text", t("errors.picture_failed"))));
  if (sameOrigin(address)) {
    authorisedFetch(address)
      .then((response) => (response.ok ? response.blob() : Promise.reject(response.status)))
      .then((blob) => {
        img.src = URL.createObjectURL(blob);
      })
      .catch(() => figure.replaceChildren(element("p", "text", t("errors.picture_failed"))));
  } else {
    img.src = address;
  }
  figure.append(img);
  return figure;
}

function fileLink(address) {
  const name = fileName(address);
  if (!sameOrigin(address)) {
    const link = element("a", "file", t("download", { name }));
    link.href = address;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    return link;
  }
  const button = element("button", "file");
  button.type = "button";
  button.append(fileIcon(), element("span", null, t("download", { name })));
  button.addEventListener("click", async () => {
    button.disabled = true;
    setStatus(t("downloading", { name }));
    try {
      const response = await authorisedFetch(address);
      if (!response.ok) {
        addEntry({ from: "system", text: t("errors.download_failed", { status: response.status }) });
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const anchor = element("a");
      anchor.href = url;
      anchor.download = fileName(address, response);
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch {
      addEntry({ from: "system", text: t("errors.download_failed", { status: "—" }) });
    } finally {
      setStatus("");
      button.disabled = false;
      button.focus();
    }
  });
  return button;
}

function fileIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M12 3v11m0 0 4.5-4.5M12 14 7.5 9.5M4 17v3h16v-3");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}

// Speaking instead of writing: the microphone button starts a recording and stops it; the
// recording goes to /api/v1/chat/voice with the token, what was heard is shown as the
// person's message, and the answer is shown and played.

async function toggleRecording() {
  if (recorder) {
    recorder.stop();
    return;
  }
  let stream;
  try {
    // The recogniser hears best what the microphone heard: no noise suppression or gain riding.
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, noiseSuppression: false, autoGainControl: false },
    });
  } catch {
    addEntry({ from: "system", text: t("micUnavailable") });
    return;
  }
  const mimeType = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus"].find((type) => MediaRecorder.isTypeSupported(type));
  const chunks = [];
  recorder = mimeType ? new MediaRecorder(stream, { mimeType }) : new MediaRecorder(stream);
  recorder.addEventListener("dataavailable", (event) => {
    if (event.data.size) chunks.push(event.data);
  });
  recorder.addEventListener("stop", () => {
    const type = (recorder.mimeType || mimeType || "audio/webm").split(";")[0];
    for (const track of stream.getTracks()) track.stop();
    recorder = null;
    showRecording(false);
    sendSpoken(new Blob(chunks, { type }));
  });
  recorder.start();
  showRecording(true);
}

function showRecording(on) {
  const button = $("mic");
  button.classList.toggle("recording", on);
  button.setAttribute("aria-pressed", String(on));
  button.setAttribute("aria-label", t(on ? "micStop" : "micStart"));
  setStatus(on ? t("listening") : "");
}

async function sendSpoken(audio) {
  spokenInFlight += 1;
  updateTyping();
  try {
    const response = await fetch(`/api/v1/chat/voice?message_id=${newId()}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${storedToken()}`, "Content-Type": audio.type },
      body: audio,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      addEntry({ from: "system", text: (body.error && body.error.message) || t("errors.voice_failed") });
      return;
    }
    addEntry({ from: "me", text: t("heard", { transcript: body.transcript }) });
    replied({ messages: body.messages });
    if (body.audio) new Audio(body.audio).play().catch(() => {});
  } catch {
    addEntry({ from: "system", text: t("errors.voice_failed") });
  } finally {
    spokenInFlight -= 1;
    updateTyping();
  }
}

// Files: picked with the paper clip or dropped on the conversation, a bank statement or a
// receipt goes to /api/v1/chat/files with the token (not through the socket); the answer is
// shown like any reply, and the next message continues the conversation. Words typed but not
// sent go with the file.

async function sendFile(file) {
  const input = $("message");
  const words = input.value.trim();
  input.value = "";
  addEntry({ from: "me", text: t("fileSent", { name: file.name || t("file") }) + (words ? ` ${words}` : "") });
  const form = new FormData();
  form.append("file", file, file.name || "file");
  form.append("message_id", newId());
  form.append("channel", "web");
  if (words) form.append("text", words);
  filesInFlight += 1;
  updateTyping();
  try {
    const response = await fetch("/api/v1/chat/files", {
      method: "POST",
      headers: { Authorization: `Bearer ${storedToken()}` },
      body: form,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      addEntry({ from: "system", text: (body.error && body.error.message) || t("errors.file_failed") });
      return;
    }
    replied({ messages: body.messages });
  } catch {
    addEntry({ from: "system", text: t("errors.file_failed") });
  } finally {
    filesInFlight -= 1;
    updateTyping();
  }
}

function wireFiles() {
  const picker = $("file");
  $("attach").addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    if (picker.files && picker.files[0]) sendFile(picker.files[0]);
    picker.value = "";
  });
  const chat = $("chat");
  chat.addEventListener("dragover", (event) => {
    if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes("Files")) return;
    event.preventDefault();
    chat.classList.add("dropping");
  });
  chat.addEventListener("dragleave", (event) => {
    if (!chat.contains(event.relatedTarget)) chat.classList.remove("dropping");
  });
  chat.addEventListener("drop", (event) => {
    event.preventDefault();
    chat.classList.remove("dropping");
    const files = event.dataTransfer ? event.dataTransfer.files : null;
    if (files && files[0] && signedIn) sendFile(files[0]);
  });
}

// Wiring.

function wire() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("message");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendMessage(text);
  });
  wireFiles();
  if (navigator.mediaDevices && window.MediaRecorder) {
    $("mic").hidden = false;
    $("mic").addEventListener("click", toggleRecording);
  }
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("code").value.trim();
    if (!code) {
      $("code").focus();
      return;
    }
    $("sign-in-error").textContent = "";
    setStatus(t("signingIn"));
    leaving = true;
    if (socket) socket.close();
    connect({ type: "hello", code });
  });
  $("sign-out").addEventListener("click", () => {
    leaving = true;
    signedIn = false;
    if (socket) socket.close();
    socket = null;
    forgetSession();
    $("who").textContent = "";
    $("code").value = "";
    show("sign-in");
  });
}

async function start() {
  const languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  const language = pickLanguage(languages);
  texts = await (await fetch(`/static/lang/${language}.json`)).json();
  document.documentElement.lang = language;
  applyTexts();
  wire();
  document.body.classList.remove("loading");

  const fromFragment = tokenFromFragment();
  if (fromFragment && fromFragment !== storedToken()) {
    forgetSession();
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
  }
  transcript = loadTranscript();
  for (const entry of transcript) $("log").append(render(entry));
  if (storedToken()) {
    show("chat");
    setStatus(t("connecting"));
    connect({ type: "hello", token: storedToken() });
  } else {
    show("sign-in");
  }
}

start();
