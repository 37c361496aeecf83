// The template studio: a template's JSON and a record in two editors, the
// card re-rendered by the service as you type (debounced), the proof
// overlay on demand, the findings of /v1/check beside it, mistakes against
// the published schemas shown before the engine is asked, and a click on
// the card selecting the field's JSON in the editor. Plain JS, no build.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  schemas: { template: null, record: null },
  templateName: null,
  fields: [],
  card: null, // {width_mm, height_mm}
  images: {}, // record key -> base64 bytes
  generation: 0, // the newest update; older answers are dropped
  cardUrl: null,
};

// ------------------------------------------------------------- requests

function headers(json) {
  const h = json ? { "Content-Type": "application/json" } : {};
  const token = $("token").value;
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) $("token-label").hidden = false;
  return response;
}

async function errorOf(response) {
  try {
    return (await response.json()).error;
  } catch (e) {
    return { message: `HTTP ${response.status}` };
  }
}

// ------------------------------------------------------ text positions

// Offset of 1-based line and column in text.
function offsetOf(text, line, column) {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return Math.min(text.length, at + Math.max(0, column - 1));
}

function select(textarea, start, end) {
  textarea.focus();
  textarea.setSelectionRange(start, Math.max(start + 1, end));
  const line = textarea.value.slice(0, start).split("\n").length;
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 16;
  textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
}

// Where the value at path (["fields", 3, "size_pt"]) is in JSON text:
// {start, end} of its characters, or of the nearest enclosing value found.
function locate(text, path) {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  function string() {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  }
  function skip() {
    ws();
    const c = text[i];
    if (c === '"') return string();
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      while (i < text.length && text[i] !== close) {
        if (c === "{") { string(); ws(); i++; }
        skip();
        ws();
        if (text[i] === ",") { i++; ws(); }
      }
      i++;
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
  }
  function find(depth) {
    ws();
    const start = i;
    if (depth === path.length) { skip(); return { start, end: i }; }
    const c = text[i];
    if (c !== "{" && c !== "[") { skip(); return { start, end: i }; }
    i++;
    let index = 0;
    ws();
    while (i < text.length && text[i] !== (c === "{" ? "}" : "]")) {
      let key = index;
      if (c === "{") { key = string(); ws(); i++; }
      if (key === path[depth]) return find(depth + 1);
      skip();
      ws();
      if (text[i] === ",") { i++; ws(); }
      index++;
    }
    return { start, end: start + 1 };
  }
  try {
    return find(0);
  } catch (e) {
    return { start: 0, end: 0 };
  }
}

// ------------------------------------------------------------- problems

function listProblems(list, problems, editor) {
  list.replaceChildren();
  for (const p of problems) {
    const li = document.createElement("li");
    li.textContent = p.text;
    if (p.kind) li.className = p.kind;
    if (p.where) li.addEventListener("click", () => select(editor, p.where.start, p.where.end));
    list.append(li);
  }
}

// The JSON of a textarea, or the problem that stops it, placed.
function parseEditor(textarea) {
  const text = textarea.value;
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const m = /position (\d+)/.exec(e.message);
    const at = m ? Number(m[1]) : 0;
    const before = text.slice(0, at).split("\n");
    return {
      problem: {
        text: `JSON: line ${before.length}, column ${before[before.length - 1].length + 1}: ${e.message}`,
        where: { start: at, end: at + 1 },
      },
    };
  }
}

function schemaProblems(schema, value, text) {
  if (!schema) return [];
  return CardSchema.check(schema, value).map((p) => ({
    text: `${p.path.length ? p.path.join(".") : "(top)"}: ${p.message}`,
    where: locate(text, p.path),
  }));
}

function engineProblem(error, editor) {
  const inEditor = error.file === "<request template>" && error.line > 0;
  const where = inEditor ? offsetOf(editor.value, error.line, error.column || 1) : null;
  return { text: error.message, where: where === null ? null : { start: where, end: where + 1 } };
}

// ------------------------------------------------------------- updating

function requestBody(record) {
  const body = { template_text: $("template-json").value, record, images: state.images };
  const dpi = parseInt($("dpi").value, 10);
  if (dpi) body.dpi = dpi;
  return body;
}

async function update() {
  const generation = ++state.generation;
  const templateEditor = $("template-json"), recordEditor = $("record-json");
  const template = parseEditor(templateEditor), record = parseEditor(recordEditor);
  const templateProblems = template.problem ? [template.problem]
    : schemaProblems(state.schemas.template, template.value, templateEditor.value);
  const recordProblems = record.problem ? [record.problem]
    : schemaProblems(state.schemas.record, record.value, recordEditor.value);
  listProblems($("template-problems"), templateProblems, templateEditor);
  listProblems($("record-problems"), recordProblems, recordEditor);
  if (template.problem || record.problem) {
    $("card").classList.add("stale");
    $("status").textContent = "fix the JSON to see the card";
    return;
  }
  $("status").textContent = "rendering…";
  const body = requestBody(record.value);
  const [rendered, checked, fields] = await Promise.all([
    request("POST", "/v1/render", Object.assign({ proof: $("proof").checked }, body)),
    request("POST", "/v1/check", body),
    request("POST", "/v1/fields", body),
  ]);
  if (generation !== state.generation) return; // a newer edit is on its way
  if (rendered.ok) {
    if (state.cardUrl) URL.revokeObjectURL(state.cardUrl);
    state.cardUrl = URL.createObjectURL(await rendered.blob());
    $("card").src = state.cardUrl;
    $("card").classList.remove("stale");
    $("status").textContent = "up to date";
  } else {
    $("card").classList.add("stale");
    const error = await errorOf(rendered);
    listProblems($("template-problems"), templateProblems.concat([engineProblem(error, templateEditor)]),
                 templateEditor);
    $("status").textContent = "the engine refused it";
  }
  if (fields.ok) {
    const info = await fields.json();
    state.fields = info.fields;
    state.card = info.card;
  }
  showFindings(checked.ok ? (await checked.json()).findings : []);
}

function showFindings(findings) {
  $("finding-count").textContent = findings.length ? `(${findings.length})` : "";
  const editor = $("template-json");
  const items = findings.map((f) => {
    const where = f.file === "<request template>" && f.line > 0
      ? offsetOf(editor.value, f.line, f.column || 1) : null;
    return {
      text: `${f.kind}: ${f.field ? `field "${f.field}": ` : ""}${f.message}`,
      kind: f.kind === "shrunk" || f.kind === "condensed" || f.kind === "rare_character" ? "note" : "",
      where: where === null ? null : { start: where, end: where + 1 },
    };
  });
  if (!items.length) items.push({ text: "no findings", kind: "fine" });
  listProblems($("findings"), items, editor);
}

let timer = null;
function updateSoon() {
  clearTimeout(timer);
  $("card").classList.add("stale");
  timer = setTimeout(update, 300);
}

// ----------------------------------------------------- picking a field

function pickField(event) {
  if (!state.card || !state.fields.length) return;
  const img = $("card"), box = img.getBoundingClientRect();
  // a proof has a 7 mm margin round the card; a card fills the picture
  const margin = $("proof").checked ? 7 : 0;
  const mmPerPixel = (state.card.width_mm + 2 * margin) / box.width;
  const x = (event.clientX - box.left) * mmPerPixel - margin;
  const y = (event.clientY - box.top) * mmPerPixel - margin;
  const hits = state.fields.filter((f) => {
    const [fx, fy, fw, fh] = f.box_mm;
    return x >= fx && x <= fx + fw && y >= fy && y <= fy + fh;
  });
  if (!hits.length) return;
  hits.sort((a, b) => a.box_mm[2] * a.box_mm[3] - b.box_mm[2] * b.box_mm[3]);
  const field = hits[0];
  const editor = $("template-json");
  if (field.file === "<request template>" && field.line > 0) {
    const at = offsetOf(editor.value, field.line, field.column);
    select(editor, at, locate(editor.value.slice(at), []).end + at);
    $("field-hint").textContent = `field "${field.name}" (${field.type})`;
  } else {
    $("field-hint").textContent = `field "${field.name}" comes from ${field.file}, line ${field.line}`;
  }
}

// ------------------------------------------------------------ templates

// A record with a key for every field's bind, keeping the values typed so far.
function recordSkeleton(fields, before) {
  const record = {};
  for (const f of fields) if (f.bind && f.type !== "image") record[f.bind] = before[f.bind] || "";
  return record;
}

function imageInputs(fields) {
  const box = $("image-inputs");
  box.replaceChildren();
  for (const f of fields.filter((f) => f.type === "image" && f.bind)) {
    const label = document.createElement("label");
    label.textContent = `${f.bind} (JPEG or PNG): `;
    const input = document.createElement("input");
    input.type = "file";
    input.accept = "image/jpeg,image/png";
    input.addEventListener("change", () => {
      const file = input.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => {
        state.images[f.bind] = reader.result.split(",")[1];
        updateSoon();
      };
      reader.readAsDataURL(file);
    });
    label.append(input);
    box.append(label);
  }
}

async function openTemplate(name) {
  const response = await request("GET", `/v1/templates/${encodeURIComponent(name)}`);
  if (!response.ok) {
    $("status").textContent = (await errorOf(response)).message;
    return;
  }
  const t = await response.json();
  state.templateName = name;
  state.fields = t.fields;
  state.card = t.card;
  state.images = {};
  $("template-file").textContent = `${name}.json`;
  $("template-json").value = t.json;
  let before = {};
  try { before = JSON.parse($("record-json").value); } catch (e) { /* a fresh record */ }
  $("record-json").value = JSON.stringify(recordSkeleton(t.fields, before), null, 2);
  imageInputs(t.fields);
  location.hash = encodeURIComponent(name);
  await update();
}

async function loadSchemas() {
  for (const kind of ["template", "record"]) {
    const response = await request("GET", `/v1/schema/${kind}.schema.json`);
    if (response.ok) state.schemas[kind] = await response.json();
  }
}

async function start() {
  await loadSchemas();
  const response = await request("GET", "/v1/templates");
  if (!response.ok) {
    $("status").textContent = (await errorOf(response)).message;
    return;
  }
  const list = $("template-list");
  list.replaceChildren();
  for (const t of (await response.json()).templates) {
    const option = document.createElement("option");
    option.value = option.textContent = t.name;
    if (t.error) option.textContent += " (does not load)";
    list.append(option);
  }
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted && [...list.options].some((o) => o.value === wanted)) list.value = wanted;
  if (list.value) await openTemplate(list.value);
}

$("template-list").addEventListener("change", () => openTemplate($("template-list").value));
$("template-json").addEventListener("input", updateSoon);
$("record-json").addEventListener("input", updateSoon);
$("proof").addEventListener("change", update);
$("dpi").addEventListener("change", update);
$("token").addEventListener("change", start); // after a 401: try again with it
$("card").addEventListener("click", pickField);
start();
