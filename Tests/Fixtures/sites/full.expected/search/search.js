"use strict";
const BridgeheadSearch = (() => {
  const isCJK = (c) => {
    const v = c.codePointAt(0);
    return (v >= 0xac00 && v <= 0xd7a3) || (v >= 0x1100 && v <= 0x11ff) || (v >= 0x3131 && v <= 0x318e) ||
      (v >= 0x3040 && v <= 0x30ff) || (v >= 0x3400 && v <= 0x4dbf) || (v >= 0x4e00 && v <= 0x9fff) ||
      (v >= 0xf900 && v <= 0xfaff);
  };
  const isWord = (c) => /[\p{L}\p{N}]/u.test(c);
  // [characters, isCJK, whether one space alone parts it from the CJK run before it]
  const runs = (text) => {
    const out = [];
    let run = [], cjk = false, gap = null;
    const flush = () => {
      if (run.length) { out.push([run, cjk, cjk && gap === " "]); gap = cjk ? "" : null; }
      run = [];
    };
    for (const c of text.toLowerCase()) {
      if (isCJK(c)) { if (!cjk) flush(); cjk = true; run.push(c); }
      else if (isWord(c) || ((c === "'" || c === "\u2019") && run.length && !cjk)) {
        if (cjk) flush(); cjk = false; run.push(c);
      } else { flush(); if (gap !== null) gap += c; }
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
    let last = "";
    for (const [run, cjk, joined] of runs(text)) {
      if (cjk) {
        if (joined) out.push(last + run[0]);
        if (run.length > 1) out.push(...bigrams(run));
        last = run[run.length - 1];
        out.push(last);
      } else { const w = word(run); if (w) out.push(w); }
    }
    return out;
  };
  const particles = "의은는이가을를에와과도로만";
  const queryTerms = (query) => {
    const out = [];
    for (const [run, cjk] of runs(query)) {
      if (cjk) {
        const term = { tokens: bigrams(run), prefix: run.length === 1, text: run.join("") };
        if (run.length >= 3 && particles.includes(run[run.length - 1])) term.withoutParticle = bigrams(run.slice(0, -1));
        out.push(term);
      } else {
        const w = word(run);
        if (!w) continue;
        const term = { tokens: [w], prefix: true, text: w };
        if ([...w].length >= 3 && w.endsWith("i")) term.alsoPrefix = w.slice(0, -1) + "y";
        out.push(term);
      }
    }
    return out;
  };
  const shardKey = (token) => {
    const first = [...token];
    const prefix = first.slice(0, isCJK(first[0]) ? 1 : 2).join("");
    return [...new TextEncoder().encode(prefix)].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  // A shard lists a token's pages as [gap, score, gap, score, …]: [[page, score], …].
  const pages = (list = []) => {
    const out = [];
    for (let i = 0, doc = 0; i + 1 < list.length; i += 2) out.push([doc += list[i], list[i + 1]]);
    return out;
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
    const tokenScores = async (tokens, prefix, also) => {
      if (tokens.length === 1) {
        // A second prefix differs from the token only in its last letter, the third or
        // later, so it lives in the same shard.
        const token = tokens[0], data = await shard(token), best = new Map();
        const prefixes = also ? [token, also] : [token];
        const names = prefix ? Object.keys(data).filter((t) => prefixes.some((p) => t.startsWith(p))) : [token];
        for (const name of names) {
          const factor = prefixes.includes(name) ? 2 : 1;
          for (const [doc, score] of pages(data[name])) best.set(doc, Math.max(best.get(doc) || 0, score * factor));
        }
        return best;
      }
      let result = null;
      for (const token of tokens) {
        const scores = new Map(pages((await shard(token))[token]));
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
        let scores = await tokenScores(term.tokens, term.prefix, term.alsoPrefix);
        if (!scores.size && term.withoutParticle) {
          scores = await tokenScores(term.withoutParticle, false);
          term.text = [...term.text].slice(0, -1).join("");
        }
        if (totals) {
          const kept = new Map();
          for (const [doc, score] of totals) if (scores.has(doc)) kept.set(doc, score + scores.get(doc));
          scores = kept;
        }
        totals = scores;
        // No page has every term: the shards of the others need not be fetched.
        if (!totals.size) break;
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
    // A word is indexed without its plural ending: "company" stands for "companies" too.
    const words = terms.flatMap((t) => [t.text, t.alsoPrefix, /y$/.test(t.text) && t.text.slice(0, -1) + "ies"])
      .filter((t) => t).sort((a, b) => b.length - a.length);
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
  const screen = 10;
  const attach = (root) => {
    const base = root.dataset.index.replace(/\/?$/, "/");
    const input = root.querySelector('input[type="search"]');
    const list = root.querySelector("[data-results]");
    const status = root.querySelector("[data-status]");
    const search = engine((path) => fetch(base + path).then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); }));
    // Results come a screen at a time: each one shown downloads its page's file.
    const more = document.createElement("button");
    more.type = "button";
    more.className = "search-more";
    more.textContent = root.dataset.labelMore || "More results";
    more.hidden = true;
    list.after(more);
    let latest = 0, timer = 0, found = { terms: [], docs: [] }, shown = 0;
    const items = async ({ terms, docs }, from) => (await Promise.all(docs.slice(from, from + screen).map(search.document)))
      .map((d) => `<li><a href="${escape(d.u)}">${escape(d.t)}</a><p>${snippet(d.x, terms)}</p></li>`).join("");
    const run = async () => {
      const query = input.value.trim(), ticket = ++latest;
      if (!query) { list.innerHTML = ""; status.textContent = ""; more.hidden = true; return; }
      const result = await search.search(query), html = await items(result, 0);
      if (ticket !== latest) return;
      found = result;
      shown = Math.min(screen, result.docs.length);
      list.innerHTML = html;
      more.hidden = shown >= result.docs.length;
      status.textContent = result.docs.length
        ? (root.dataset.labelResults || "{n}").replace("{n}", result.docs.length) : (root.dataset.labelNone || "0");
    };
    more.addEventListener("click", async () => {
      const ticket = latest, from = shown, html = await items(found, from);
      if (ticket !== latest || shown !== from) return;
      list.insertAdjacentHTML("beforeend", html);
      shown = Math.min(from + screen, found.docs.length);
      more.hidden = shown >= found.docs.length;
      // The reader goes on from the first new result; the button may be gone.
      list.querySelectorAll("a")[from]?.focus();
    });
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 120); });
    root.addEventListener("keydown", (event) => {
      const links = [...list.querySelectorAll("a"), ...(more.hidden ? [] : [more])];
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
  return { tokens, queryTerms, engine, snippet, attach, screen };
})();
if (typeof document !== "undefined") {
  document.querySelectorAll("[data-bridgehead-search]").forEach(BridgeheadSearch.attach);
}
if (typeof module !== "undefined") module.exports = BridgeheadSearch;
