"use strict";
const BridgeheadSearch = (() => {
  const isCJK = (c) => {
    const v = c.codePointAt(0);
    return (v >= 0xac00 && v <= 0xd7a3) || (v >= 0x1100 && v <= 0x11ff) || (v >= 0x3131 && v <= 0x318e) ||
      (v >= 0x3040 && v <= 0x30ff) || (v >= 0x3400 && v <= 0x4dbf) || (v >= 0x4e00 && v <= 0x9fff) ||
      (v >= 0xf900 && v <= 0xfaff);
  };
  const isWord = (c) => /[\p{L}\p{N}]/u.test(c);
  const runs = (text) => {
    const out = [];
    let run = [], cjk = false;
    const flush = () => { if (run.length) out.push([run, cjk]); run = []; };
    for (const c of text.toLowerCase()) {
      if (isCJK(c)) { if (!cjk) flush(); cjk = true; run.push(c); }
      else if (isWord(c) || ((c === "'" || c === "\u2019") && run.length && !cjk)) {
        if (cjk) flush(); cjk = false; run.push(c);
      } else flush();
    }
    flush();
    return out;
  };
  const bigrams = (run) => run.length < 2 ? [run.join("")] : run.slice(1).map((c, i) => run[i] + c);
  const word = (run) => {
    let w = run.slice();
    const n = w.length;
    if (n >= 2 && w[n - 1] === "s" && (w[n - 2] === "'" || w[n - 2] === "\u2019")) w.splice(n - 2, 2);
    w = w.filter((c) => c !== "'" && c !== "\u2019");
    const ends = (s) => w.length >= s.length && w.slice(w.length - s.length).join("") === s;
    if (w.length > 4 && ends("ies")) w.splice(w.length - 3, 3, "y");
    else if (w.length > 3 && ends("es") && ["ses", "xes", "zes", "ches", "shes"].some(ends)) w.splice(w.length - 2, 2);
    else if (w.length > 3 && ends("s") && !ends("ss") && !ends("us") && !ends("is")) w.pop();
    return w.length >= 2 ? w.join("") : null;
  };
  const tokens = (text) => {
    const out = [];
    for (const [run, cjk] of runs(text)) {
      if (cjk) out.push(...bigrams(run));
      else { const w = word(run); if (w) out.push(w); }
    }
    return out;
  };
  const queryTerms = (query) => {
    const out = [];
    for (const [run, cjk] of runs(query)) {
      if (cjk) out.push({ tokens: bigrams(run), prefix: run.length === 1, text: run.join("") });
      else { const w = word(run); if (w) out.push({ tokens: [w], prefix: true, text: w }); }
    }
    return out;
  };
  const shardKey = (token) => {
    const first = [...token];
    const prefix = first.slice(0, isCJK(first[0]) ? 1 : 2).join("");
    return [...new TextEncoder().encode(prefix)].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  // load(path) resolves to the parsed JSON of a file of the index folder.
  const engine = (load) => {
    const shards = new Map();
    let meta = null;
    const shard = async (token) => {
      meta = meta || (await load("meta.json"));
      const key = shardKey(token);
      if (!meta.shards.includes(key)) return {};
      if (!shards.has(key)) shards.set(key, load(`t/${key}.json`));
      return shards.get(key);
    };
    const termScores = async (term) => {
      if (term.tokens.length === 1) {
        const token = term.tokens[0], data = await shard(token), best = new Map();
        const names = term.prefix ? Object.keys(data).filter((t) => t.startsWith(token)) : [token];
        for (const name of names) {
          const factor = name === token ? 2 : 1;
          for (const [doc, score] of data[name] || []) best.set(doc, Math.max(best.get(doc) || 0, score * factor));
        }
        return best;
      }
      let result = null;
      for (const token of term.tokens) {
        const scores = new Map((await shard(token))[token] || []);
        if (!result) { result = scores; continue; }
        const kept = new Map();
        for (const [doc, score] of result) if (scores.has(doc)) kept.set(doc, Math.min(score, scores.get(doc)));
        result = kept;
      }
      return result || new Map();
    };
    const search = async (query) => {
      const terms = queryTerms(query);
      if (!terms.length) return { terms, docs: [] };
      let totals = null;
      for (const term of terms) {
        const scores = await termScores(term);
        if (!totals) { totals = scores; continue; }
        const kept = new Map();
        for (const [doc, score] of totals) if (scores.has(doc)) kept.set(doc, score + scores.get(doc));
        totals = kept;
      }
      const docs = [...totals].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([doc]) => doc);
      return { terms, docs };
    };
    return { search, document: (doc) => load(`d/${doc}.json`) };
  };
  const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  // A window of the text around the first match, every match of a term marked.
  const snippet = (text, terms) => {
    const lower = text.toLowerCase();
    const words = terms.map((t) => t.text).filter((t) => t.length).sort((a, b) => b.length - a.length);
    let at = -1;
    for (const w of words) { const i = lower.indexOf(w); if (i >= 0 && (at < 0 || i < at)) at = i; }
    const start = Math.max(0, at - 60), end = Math.min(text.length, (at < 0 ? 0 : at) + 140);
    const piece = text.slice(start, end), low = piece.toLowerCase();
    let out = "", i = 0;
    while (i < piece.length) {
      const w = words.find((w) => low.startsWith(w, i));
      if (w) { out += "<mark>" + escape(piece.slice(i, i + w.length)) + "</mark>"; i += w.length; }
      else { out += escape(piece[i]); i += 1; }
    }
    return (start > 0 ? "…" : "") + out + (end < text.length ? "…" : "");
  };
  const attach = (root) => {
    const base = root.dataset.index.replace(/\/?$/, "/");
    const input = root.querySelector('input[type="search"]');
    const list = root.querySelector("[data-results]");
    const status = root.querySelector("[data-status]");
    const search = engine((path) => fetch(base + path).then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); }));
    let latest = 0, timer = 0;
    const run = async () => {
      const query = input.value.trim(), ticket = ++latest;
      if (!query) { list.innerHTML = ""; status.textContent = ""; return; }
      const { terms, docs } = await search.search(query);
      const shown = await Promise.all(docs.slice(0, 20).map(search.document));
      if (ticket !== latest) return;
      list.innerHTML = shown.map((d) =>
        `<li><a href="${escape(d.u)}">${escape(d.t)}</a><p>${snippet(d.x, terms)}</p></li>`).join("");
      status.textContent = docs.length
        ? (root.dataset.labelResults || "{n}").replace("{n}", docs.length) : (root.dataset.labelNone || "0");
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 120); });
    root.addEventListener("keydown", (event) => {
      const links = [...list.querySelectorAll("a")];
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const i = links.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? (i < 0 ? 0 : Math.min(i + 1, links.length - 1)) : i - 1;
      event.preventDefault();
      (next < 0 ? input : links[next])?.focus();
    });
    // The form works without the script (it reloads with ?q=); with it, no reload.
    root.querySelector("form")?.addEventListener("submit", (event) => { event.preventDefault(); run(); });
    const asked = new URLSearchParams(location.search).get(input.name || "q");
    if (asked && !input.value) input.value = asked;
    root.hidden = false;
    if (input.value) run();
  };
  return { tokens, queryTerms, engine, snippet, attach };
})();
if (typeof document !== "undefined") {
  document.querySelectorAll("[data-bridgehead-search]").forEach(BridgeheadSearch.attach);
}
if (typeof module !== "undefined") module.exports = BridgeheadSearch;
