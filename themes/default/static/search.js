// gazette search (issue 20): reads the split index under the folder of `data-index` and
// fetches only the shards that hold the query's words, then the titles of the results it
// shows, and, once the query settles, their own pages, for the excerpts (the elements
// marked `data-search-text`, else the <article>). No dependencies and no
// other host; results are built with DOM nodes, never innerHTML. Every message comes from
// the page (the form's data-msg-* attributes), in the page's language.
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var category = document.getElementById("search-category");
  var tag = document.getElementById("search-tag");
  var more = document.getElementById("search-more");
  if (!script || !form || !input || !list || !status) return;
  var PAGE = 10;
  var PREFIX_KEYS = 24;
  // While typing, excerpts wait until the query has not changed for this long.
  var SETTLE_MS = 300;
  var base = new URL(script.getAttribute("data-index"), window.location.href);
  var lang = document.documentElement.lang || undefined;
  var meta = null;
  var cache = new Map();
  var utf8 = new TextDecoder();
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var numbers = window.Intl ? new Intl.NumberFormat(lang) : null;

  // A message of the page, its {name} placeholders filled.
  function msg(name, values) {
    var key = "msg" + name.charAt(0).toUpperCase() + name.slice(1);
    return (form.dataset[key] || "").replace(/\{(\w+)\}/g, function (all, k) {
      if (!values || !(k in values)) return all;
      var v = values[k];
      return typeof v === "number" && numbers ? numbers.format(v) : String(v);
    });
  }
  // A message with a count, in the plural form the page's language uses for it.
  function counted(name, count, values) {
    var form1 = plural && plural.select(count) === "one" ? "One" : "Other";
    values = values || {};
    values.count = count;
    return msg(name + form1, values);
  }

  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(lang, { granularity: "word" }) : null;

  var longDate = (function () {
    try {
      var format = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" });
      return function (day) {
        var d = new Date(day + "T00:00:00Z");
        return isNaN(d) ? day : format.format(d);
      };
    } catch (e) {
      return function (day) { return day; };
    }
  })();

  // The same folding as the index: case, and Latin, Greek and Cyrillic accents.
  function fold(word) {
    return word.normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC").toLowerCase();
  }

  // Words as the Unicode rules find them: [{word, index}] in order.
  function words(text) {
    var out = [];
    if (segmenter) {
      for (var s of segmenter.segment(text)) if (s.isWordLike) out.push({ word: s.segment, index: s.index });
    } else {
      var re = /[\p{L}\p{N}\p{M}_]+(?:['’.][\p{L}\p{N}\p{M}_]+)*/gu, m;
      while ((m = re.exec(text))) out.push({ word: m[0], index: m.index });
    }
    return out;
  }

  // Keys compare as UTF-8 bytes do in the index: by code point.
  function compare(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x - y;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return (a.length - i) - (b.length - j);
  }

  function fetchBytes(path) {
    if (!cache.has(path)) {
      cache.set(path, fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + path);
        return /\.json$/.test(path) ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      }));
    }
    return cache.get(path);
  }

  function reader(bytes) {
    var at = 0;
    return {
      bytes: bytes,
      get at() { return at; },
      skip: function (n) { at += n; },
      byte: function () { return bytes[at++]; },
      varint: function () {
        var value = 0, shift = 0, b;
        do { b = bytes[at++]; value += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
        return value;
      }
    };
  }

  // A shard: its keys in order, each with where its entry's data starts.
  function shard(n) {
    return fetchBytes("shards/" + n + ".bin").then(function (bytes) {
      if (bytes.parsed) return bytes.parsed;
      var r = reader(bytes);
      if (r.byte() !== 2) throw new Error("unknown shard version");
      var count = r.varint(), keys = [], key = new Uint8Array(0);
      for (var i = 0; i < count; i++) {
        var shared = r.varint(), len = r.varint();
        var next = new Uint8Array(shared + len);
        next.set(key.subarray(0, shared));
        next.set(bytes.subarray(r.at, r.at + len), shared);
        r.skip(len);
        key = next;
        var entry = { key: utf8.decode(key), kind: r.byte(), r: r };
        if (entry.kind === 2) {
          var stem = r.varint();
          entry.stem = utf8.decode(bytes.subarray(r.at, r.at + stem));
          r.skip(stem);
        } else {
          entry.count = r.varint();
          entry.truncated = r.byte() === 1;
          entry.gaps = r.at;
          for (var k = 0; k < entry.count; k++) r.varint();
          entry.scores = r.at;
          entry.next = r.at + entry.count;
          entry.bit = followerBit(key);
          r.skip(2 * entry.count);
        }
        keys.push(entry);
      }
      bytes.parsed = keys;
      return keys;
    });
  }

  // The bit that stands for a stem in the follower byte of the word before it: FNV-1a of
  // its UTF-8 bytes, modulo 8, as the index computes it.
  function followerBit(bytes) {
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return 1 << (h & 7);
  }

  // An entry's documents: doc -> {s: score, t: 1 when in the title, n: follower byte}.
  function postings(entry) {
    var bytes = entry.r.bytes, r = reader(bytes), doc = 0, out = new Map();
    r.skip(entry.gaps);
    for (var k = 0; k < entry.count; k++) {
      doc += r.varint();
      var score = bytes[entry.scores + k];
      out.set(doc, { s: score & 127, t: score >> 7, n: bytes[entry.next + k] });
    }
    return out;
  }

  function shardOf(key) {
    var lo = 0, hi = meta.shards.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (compare(meta.shards[mid], key) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function exact(key) {
    if (!meta.shards.length) return Promise.resolve(null);
    return shard(shardOf(key)).then(function (keys) {
      var lo = 0, hi = keys.length - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1, c = compare(keys[mid].key, key);
        if (c === 0) return keys[mid];
        if (c < 0) lo = mid + 1; else hi = mid - 1;
      }
      return null;
    });
  }

  // The entries of the words that start with `prefix`, nearest in length first.
  function starting(prefix) {
    if (!meta.shards.length) return Promise.resolve([]);
    // Two letters start too many words to read them all: their first shard will do.
    var first = shardOf(prefix), last = first, most = prefix.length < 3 ? 0 : 1;
    while (last + 1 < meta.shards.length && last < first + most && meta.shards[last + 1].startsWith(prefix)) last++;
    var loads = [];
    for (var n = first; n <= last; n++) loads.push(shard(n));
    return Promise.all(loads).then(function (shards) {
      var found = [];
      shards.forEach(function (keys) {
        keys.forEach(function (e) { if (e.kind !== 0 && e.key.startsWith(prefix)) found.push(e); });
      });
      found.sort(function (a, b) { return a.key.length - b.key.length; });
      return found.slice(0, PREFIX_KEYS);
    });
  }

  // One query word: every document holding it (or, for the last word, a word it starts),
  // by document number in dense arrays: `score` (0 where absent, else the best score of
  // its keys), `title` (1 when in the title) and `next` (follower bytes); `docs`, the
  // documents it holds; `bits`, the follower bits of its stems; `truncated` when some
  // lists held only their best documents. Kept for the next keystrokes, which mostly
  // repeat the words before the last.
  var looked = new Map();
  function lookup(word, prefix) {
    var key = (prefix && word.length >= 2 ? "^" : "=") + word;
    if (!looked.has(key)) {
      if (looked.size >= 32) looked.clear();
      looked.set(key, lookupNow(word, prefix && word.length >= 2));
    }
    return looked.get(key);
  }

  function lookupNow(word, prefix) {
    var entries = prefix ? starting(word) : exact(word).then(function (e) { return e ? [e] : []; });
    return entries.then(function (found) {
      return Promise.all(found.map(function (e) {
        return e.kind === 2 ? exact(e.stem) : e;
      }));
    }).then(function (stems) {
      var n = meta.documents, score = new Uint8Array(n), title = new Uint8Array(n), next = new Uint8Array(n);
      var docs = [], truncated = false, seen = new Set(), bits = 0;
      stems.forEach(function (e) {
        if (!e || seen.has(e.key)) return;
        seen.add(e.key);
        truncated = truncated || e.truncated;
        bits |= e.bit;
        var bytes = e.r.bytes, at = e.gaps, doc = 0;
        for (var k = 0; k < e.count; k++) {
          var gap = 0, shift = 0, b;
          do { b = bytes[at++]; gap += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
          doc += gap;
          var s = bytes[e.scores + k];
          if (!score[doc]) docs.push(doc);
          if ((s & 127) > score[doc]) score[doc] = s & 127;
          title[doc] |= s >> 7;
          next[doc] |= bytes[e.next + k];
        }
      });
      return { score: score, title: title, next: next, docs: docs, truncated: truncated, bits: bits };
    });
  }

  function filterDocs(kind, slug) {
    if (!slug) return Promise.resolve(null);
    return fetchBytes("filters/" + kind + "/" + encodeURIComponent(slug) + ".bin").then(function (bytes) {
      var r = reader(bytes), n = r.varint(), doc = 0, out = new Set();
      for (var i = 0; i < n; i++) { doc += r.varint(); out.add(doc); }
      return out;
    }, function () { return new Set(); });
  }

  // How well `doc` matches, as one number that sorts the results (higher first): the tier,
  // then the score, then the lower document number. With two words or more, tier 3 when
  // every word is in the title and they follow each other as in the query (a phrase: each
  // word's follower byte has the next word's bit; rarely a false match), 2 when every word
  // is in the title, 1 for a phrase elsewhere; with one word, 1 when it is in the title. The score adds the words' BM25F
  // scores. -1 when a word the document must hold is missing.
  var DOC_SPAN = 1 << 21;
  function grade(found, doc) {
    var score = 0, titles = 0, phrase = found.length > 1;
    for (var i = 0; i < found.length; i++) {
      var f = found[i], s = f.score[doc];
      if (!s) {
        if (!f.truncated) return -1;
        phrase = false;
        continue;
      }
      score += s;
      titles += f.title[doc];
      if (i + 1 < found.length && !(f.next[doc] & found[i + 1].bits)) phrase = false;
    }
    var tier = titles === found.length ? (found.length > 1 ? (phrase ? 3 : 2) : 1) : phrase ? 1 : 0;
    return (tier * 4096 + Math.min(score, 4095)) * DOC_SPAN + (DOC_SPAN - 1 - doc);
  }

  // Every word must be in a document, except words so common that only their best
  // documents are listed: those add to the score where listed and filter nothing.
  // The documents, best first.
  function rank(found, filters) {
    var required = found.filter(function (f) { return !f.truncated; });
    var passes = function (doc) { return filters.every(function (f) { return !f || f.has(doc); }); };
    // With only common words, the union of their lists; else the shortest required list.
    var lists = required.length ? [required.reduce(function (a, b) { return a.docs.length <= b.docs.length ? a : b; })] : found;
    var keys = [], seen = lists.length > 1 ? new Uint8Array(meta.documents) : null;
    lists.forEach(function (f) {
      for (var k = 0; k < f.docs.length; k++) {
        var doc = f.docs[k];
        if (seen) {
          if (seen[doc]) continue;
          seen[doc] = 1;
        }
        if (!passes(doc)) continue;
        var key = grade(found, doc);
        if (key >= 0) keys.push(key);
      }
    });
    var sorted = Float64Array.from(keys).sort();
    var out = new Array(sorted.length);
    for (var i = 0; i < sorted.length; i++) out[i] = DOC_SPAN - 1 - sorted[sorted.length - 1 - i] % DOC_SPAN;
    return out;
  }

  function matcher(terms, prefixLast) {
    return function (word) {
      var w = fold(word);
      for (var i = 0; i < terms.length; i++) {
        var t = terms[i];
        if (w === t) return true;
        if (prefixLast && i === terms.length - 1 && w.startsWith(t)) return true;
        var short = w.length < t.length ? w : t, long = short === w ? t : w;
        if (short.length >= 3 && long.length - short.length <= 3 && long.startsWith(short)) return true;
      }
      return false;
    };
  }

  // Appends `text` to `node` with the matched words in <mark>.
  function highlight(node, text, isMatch) {
    var last = 0;
    words(text).forEach(function (w) {
      if (!isMatch(w.word)) return;
      node.append(text.slice(last, w.index));
      var mark = document.createElement("mark");
      mark.textContent = w.word;
      node.append(mark);
      last = w.index + w.word.length;
    });
    node.append(text.slice(last));
  }

  // About 30 words of the text around the most matched words, or the summary.
  function excerpt(text, summary, isMatch) {
    var all = words(text), hits = [];
    for (var i = 0; i < all.length; i++) if (isMatch(all[i].word)) hits.push(i);
    if (!hits.length) return summary;
    var best = hits[0], bestCount = 0, SPAN = 30;
    for (var h = 0, j = 0; h < hits.length; h++) {
      while (hits[j] < hits[h] - SPAN + 8) j++;
      var distinct = new Set(hits.slice(j, h + 1).map(function (k) { return fold(all[k].word); })).size;
      if (distinct > bestCount) { bestCount = distinct; best = hits[j]; }
    }
    var from = Math.max(0, best - 8), to = Math.min(all.length - 1, from + SPAN);
    var start = all[from].index, end = all[to].index + all[to].word.length;
    return (from > 0 ? "… " : "") + text.slice(start, end) + (to < all.length - 1 ? " …" : "");
  }

  var BLOCK = /^(P|LI|H[1-6]|DIV|SECTION|BLOCKQUOTE|FIGCAPTION|DT|DD|TD|TH|BR|ASIDE)$/;
  // The text of an article's page and its summary (its meta description).
  function pageText(url) {
    var key = "page:" + url;
    if (!cache.has(key)) {
      cache.set(key, fetch(url).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
        return r.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var roots = page.querySelectorAll("[data-search-text]");
        if (!roots.length) roots = page.querySelectorAll("article");
        var out = [];
        Array.prototype.forEach.call(roots, function (root) {
          var walk = page.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
            acceptNode: function (n) { return /^(SCRIPT|STYLE|TEMPLATE)$/.test(n.nodeName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
          });
          for (var n = walk.currentNode; n; n = walk.nextNode()) {
            if (n.nodeType === 3) out.push(n.data);
            else if (BLOCK.test(n.nodeName)) out.push(" ");
          }
          out.push(" ");
        });
        var description = page.querySelector('meta[name="description"]');
        return { text: out.join("").replace(/\s+/g, " ").trim(), summary: description ? description.content : "" };
      }));
    }
    return cache.get(key);
  }

  // The title, URL, date and category of a document, from its group's meta file.
  function docMeta(doc) {
    var group = meta.group || 1;
    return fetchBytes("meta/" + Math.floor(doc / group) + ".json").then(function (rows) {
      var row = rows[doc % group];
      return { doc: doc, title: row[0], url: row[1], date: row[2], category: row[3] };
    });
  }

  // Fills the excerpts of the results shown that have none yet, each when it comes near
  // the viewport: a result nobody scrolls to costs no page.
  var watcher = null;
  function excerpts(isMatch, run) {
    if (run !== current) return;
    if (watcher) watcher.disconnect();
    var fill = function (p) {
      var url = p.getAttribute("data-url");
      if (!url) return;
      p.removeAttribute("data-url");
      pageText(url).then(function (page) {
        if (run !== current) return;
        p.textContent = "";
        highlight(p, excerpt(page.text, page.summary, isMatch), isMatch);
      }, function () { /* the result stands without its excerpt */ });
    };
    var waiting = list.querySelectorAll(".search-excerpt[data-url]");
    if (!window.IntersectionObserver) return Array.prototype.forEach.call(waiting, fill);
    watcher = new IntersectionObserver(function (entries, observer) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        observer.unobserve(e.target);
        fill(e.target);
      });
    }, { rootMargin: "300px 0px" });
    Array.prototype.forEach.call(waiting, function (p) { watcher.observe(p); });
  }

  // Shows results[from..from + PAGE] from the meta files, each as soon as it and those
  // before it have arrived; their excerpts follow now (`settle` 0) or once the query has
  // not changed for `settle` ms.
  function show(results, from, isMatch, run, settle) {
    var page = results.slice(from, from + PAGE).map(docMeta);
    var cleared = from > 0;
    var clear = function () {
      if (!cleared) list.textContent = "";
      cleared = true;
    };
    return page.reduce(function (shown, loading) {
      return shown.then(function () { return loading; }).then(function (d) {
        if (run !== current) return;
        clear();
        list.append(item(d, isMatch));
        mark("shown");
      });
    }, Promise.resolve()).then(function () {
      if (run !== current) return;
      clear();
      if (more) more.hidden = from + PAGE >= results.length;
      clearTimeout(settleTimer);
      if (settle) settleTimer = setTimeout(function () { excerpts(isMatch, run); }, settle);
      else excerpts(isMatch, run);
    });
  }

  // One result: category, linked title, excerpt (the summary until the page's text
  // arrives) and date.
  function item(d, isMatch) {
    var li = document.createElement("li");
    li.className = "search-result";
    var kicker = document.createElement("p");
    kicker.className = "kicker";
    kicker.textContent = d.category;
    var h = document.createElement("h2");
    h.className = "card-title";
    var a = document.createElement("a");
    a.href = d.url;
    highlight(a, d.title, isMatch);
    h.append(a);
    var p = document.createElement("p");
    p.className = "card-summary search-excerpt";
    p.setAttribute("data-url", d.url);
    var metaLine = document.createElement("p");
    metaLine.className = "meta";
    var time = document.createElement("time");
    time.dateTime = d.date;
    time.textContent = longDate(d.date);
    metaLine.append(time);
    li.append(kicker, h, p, metaLine);
    return li;
  }

  // A User Timing mark (`search:<name>`), for profiling a query (bench/search_query.mjs
  // reads them); cheap when nothing reads them.
  function mark(name) {
    if (window.performance && performance.mark) performance.mark("search:" + name);
  }

  var current = 0;
  var shown = null;
  var settleTimer = 0;
  // `typing`: the query comes from a key, so the excerpts wait for it to settle.
  function run(query, typing) {
    var id = ++current;
    clearTimeout(settleTimer);
    var raw = words(query);
    var terms = raw.map(function (w) { return fold(w.word); });
    var prefixLast = raw.length > 0 && raw[raw.length - 1].index + raw[raw.length - 1].word.length === query.length;
    if (!terms.length) {
      list.textContent = "";
      if (more) more.hidden = true;
      status.textContent = query ? msg("noWords") : msg("prompt");
      return Promise.resolve();
    }
    mark("query");
    var lookups = terms.map(function (t, i) { return lookup(t, prefixLast && i === terms.length - 1); });
    var filters = [filterDocs("c", category && category.value), filterDocs("t", tag && tag.value)];
    return Promise.all([Promise.all(lookups), Promise.all(filters)]).then(function (r) {
      if (id !== current) return;
      mark("found");
      var results = rank(r[0], r[1]);
      mark("ranked");
      var isMatch = matcher(terms, prefixLast);
      shown = { results: results, from: 0, isMatch: isMatch };
      return show(results, 0, isMatch, id, typing ? SETTLE_MS : 0).then(function () {
        if (id !== current) return;
        status.textContent = results.length === 0 ? msg("none", { query: query.trim() })
          : results.length > PAGE ? counted("best", results.length, { shown: PAGE })
          : counted("matches", results.length);
      });
    }).catch(function (err) {
      if (id === current) status.textContent = msg("failed", { error: err.message });
    });
  }

  function update(typing) {
    var query = input.value.trim();
    var url = new URL(window.location.href);
    [["q", query], ["category", category && category.value], ["tag", tag && tag.value]].forEach(function (p) {
      if (p[1]) url.searchParams.set(p[0], p[1]); else url.searchParams.delete(p[0]);
    });
    window.history.replaceState(null, "", url);
    if (meta) run(input.value.replace(/^\s+/, ""), typing === true);
  }

  function loadTags() {
    if (!tag || tag.options.length > 1) return Promise.resolve();
    return fetchBytes("tags.json").then(function (tags) {
      if (tag.options.length > 1) return;
      var chosen = tag.getAttribute("data-value") || "";
      tags.forEach(function (t) {
        var o = new Option(t[0] + " (" + t[2] + ")", t[1]);
        o.selected = t[1] === chosen;
        tag.add(o);
      });
    });
  }

  // Each key runs the query at once: a newer query supersedes one still running.
  input.addEventListener("input", function () {
    update(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  if (category) category.addEventListener("change", function () { update(); });
  if (tag) {
    tag.addEventListener("focus", loadTags);
    tag.addEventListener("pointerdown", loadTags);
    tag.addEventListener("change", function () { update(); });
  }
  if (more) more.addEventListener("click", function () {
    if (!shown) return;
    shown.from += PAGE;
    var first = list.children.length;
    show(shown.results, shown.from, shown.isMatch, current, 0).then(function () {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) link.focus();
      status.textContent = counted("showing", shown.results.length, { shown: list.children.length });
    });
  });

  var params = new URL(window.location.href).searchParams;
  input.value = params.get("q") || "";
  status.textContent = msg("loading");
  fetchBytes("index.json").then(function (m) {
    meta = m;
    if (category) {
      var chosen = params.get("category") || "";
      meta.categories.forEach(function (c) {
        var o = new Option(c.name, c.slug);
        o.selected = c.slug === chosen;
        category.add(o);
      });
    }
    if (tag && params.get("tag")) {
      tag.setAttribute("data-value", params.get("tag"));
      return loadTags();
    }
  }).then(function () {
    return run(input.value.trim());
  }, function (err) {
    status.textContent = msg("loadFailed", { error: err.message });
  });
})();
