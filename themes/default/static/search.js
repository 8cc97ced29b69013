// gazette search (issue 20): reads the split index under the folder of `data-index` and
// fetches only the shards that hold the query's words, then the few documents it shows.
// No dependencies and no other host; results are built with DOM nodes, never innerHTML.
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
  var base = new URL(script.getAttribute("data-index"), window.location.href);
  var lang = document.documentElement.lang || undefined;
  var meta = null;
  var cache = new Map();
  var utf8 = new TextDecoder();
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
      if (r.byte() !== 1) throw new Error("unknown shard version");
      var count = r.varint(), keys = [], key = new Uint8Array(0);
      for (var i = 0; i < count; i++) {
        var shared = r.varint(), len = r.varint();
        var next = new Uint8Array(shared + len);
        next.set(key.subarray(0, shared));
        next.set(bytes.subarray(r.at, r.at + len), shared);
        r.skip(len);
        key = next;
        var entry = { key: utf8.decode(key), kind: r.byte(), at: r.at, r: r };
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
          r.skip(entry.count);
        }
        keys.push(entry);
      }
      bytes.parsed = keys;
      return keys;
    });
  }

  function postings(entry) {
    var r = reader(entry.r.bytes), doc = 0, out = new Map();
    r.skip(entry.gaps);
    for (var k = 0; k < entry.count; k++) {
      doc += r.varint();
      out.set(doc, entry.r.bytes[entry.scores + k]);
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
    var first = shardOf(prefix), last = first;
    while (last + 1 < meta.shards.length && last < first + 2 && meta.shards[last + 1].startsWith(prefix)) last++;
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
  // with its best score; `truncated` when some lists held only their best documents.
  function lookup(word, prefix) {
    var entries = prefix && word.length >= 2 ? starting(word) : exact(word).then(function (e) { return e ? [e] : []; });
    return entries.then(function (found) {
      return Promise.all(found.map(function (e) {
        return e.kind === 2 ? exact(e.stem) : e;
      }));
    }).then(function (stems) {
      var docs = new Map(), truncated = false, seen = new Set();
      stems.forEach(function (e) {
        if (!e || seen.has(e.key)) return;
        seen.add(e.key);
        truncated = truncated || e.truncated;
        postings(e).forEach(function (score, doc) {
          if (!(docs.get(doc) >= score)) docs.set(doc, score);
        });
      });
      return { docs: docs, truncated: truncated };
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

  // Every word must be in a document, except words so common that only their best
  // documents are listed: those add to the score where listed and filter nothing.
  function rank(found, filters) {
    var required = found.filter(function (f) { return !f.truncated; });
    var pool = required.length ? required : found;
    var start = pool.reduce(function (a, b) { return a.docs.size <= b.docs.size ? a : b; });
    var hits = [];
    start.docs.forEach(function (_, doc) {
      if (!filters.every(function (f) { return !f || f.has(doc); })) return;
      var score = 0;
      for (var i = 0; i < found.length; i++) {
        var s = found[i].docs.get(doc);
        if (s === undefined && !found[i].truncated) return;
        score += s || 0;
      }
      hits.push({ doc: doc, score: score });
    });
    if (!required.length) {
      // Union of the common words' lists.
      var seen = new Set(hits.map(function (h) { return h.doc; }));
      found.forEach(function (f) {
        f.docs.forEach(function (_, doc) {
          if (seen.has(doc) || !filters.every(function (x) { return !x || x.has(doc); })) return;
          seen.add(doc);
          var score = 0;
          found.forEach(function (g) { score += g.docs.get(doc) || 0; });
          hits.push({ doc: doc, score: score });
        });
      });
    }
    return hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
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
  function excerpt(doc, isMatch) {
    var all = words(doc.text), hits = [];
    for (var i = 0; i < all.length; i++) if (isMatch(all[i].word)) hits.push(i);
    if (!hits.length) return doc.summary;
    var best = hits[0], bestCount = 0, SPAN = 30;
    for (var h = 0, j = 0; h < hits.length; h++) {
      while (hits[j] < hits[h] - SPAN + 8) j++;
      var distinct = new Set(hits.slice(j, h + 1).map(function (k) { return fold(all[k].word); })).size;
      if (distinct > bestCount) { bestCount = distinct; best = hits[j]; }
    }
    var from = Math.max(0, best - 8), to = Math.min(all.length - 1, from + SPAN);
    var start = all[from].index, end = all[to].index + all[to].word.length;
    return (from > 0 ? "… " : "") + doc.text.slice(start, end) + (to < all.length - 1 ? " …" : "");
  }

  function show(results, from, isMatch, run) {
    var page = results.slice(from, from + PAGE);
    return Promise.all(page.map(function (h) { return fetchBytes("docs/" + h.doc + ".json"); })).then(function (docs) {
      if (run !== current) return;
      if (from === 0) list.textContent = "";
      docs.forEach(function (d) {
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
        highlight(p, excerpt(d, isMatch), isMatch);
        var metaLine = document.createElement("p");
        metaLine.className = "meta";
        var time = document.createElement("time");
        time.dateTime = d.date;
        time.textContent = longDate(d.date);
        metaLine.append(time);
        li.append(kicker, h, p, metaLine);
        list.append(li);
      });
      if (more) more.hidden = from + PAGE >= results.length;
    });
  }

  var current = 0;
  var shown = null;
  function run(query) {
    var id = ++current;
    var raw = words(query);
    var terms = raw.map(function (w) { return fold(w.word); });
    var prefixLast = raw.length > 0 && raw[raw.length - 1].index + raw[raw.length - 1].word.length === query.length;
    if (!terms.length) {
      list.textContent = "";
      if (more) more.hidden = true;
      status.textContent = query ? "Type a word to search for." : "Type a word to search the explainers.";
      return Promise.resolve();
    }
    var lookups = terms.map(function (t, i) { return lookup(t, prefixLast && i === terms.length - 1); });
    var filters = [filterDocs("c", category && category.value), filterDocs("t", tag && tag.value)];
    return Promise.all([Promise.all(lookups), Promise.all(filters)]).then(function (r) {
      if (id !== current) return;
      var results = rank(r[0], r[1]);
      var isMatch = matcher(terms, prefixLast);
      shown = { results: results, from: 0, isMatch: isMatch };
      return show(results, 0, isMatch, id).then(function () {
        if (id !== current) return;
        status.textContent = results.length === 0 ? "No explainers match “" + query + "”."
          : results.length === 1 ? "1 explainer matches."
          : results.length + " explainers match" + (results.length > PAGE ? "; showing the best " + Math.min(PAGE, results.length) + "." : ".");
      });
    }).catch(function (err) {
      if (id === current) status.textContent = "Search failed: " + err.message + ".";
    });
  }

  function update() {
    var query = input.value.trim();
    var url = new URL(window.location.href);
    [["q", query], ["category", category && category.value], ["tag", tag && tag.value]].forEach(function (p) {
      if (p[1]) url.searchParams.set(p[0], p[1]); else url.searchParams.delete(p[0]);
    });
    window.history.replaceState(null, "", url);
    if (meta) run(input.value.replace(/^\s+/, ""));
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

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 40);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  if (category) category.addEventListener("change", update);
  if (tag) {
    tag.addEventListener("focus", loadTags);
    tag.addEventListener("pointerdown", loadTags);
    tag.addEventListener("change", update);
  }
  if (more) more.addEventListener("click", function () {
    if (!shown) return;
    shown.from += PAGE;
    var first = list.children.length;
    show(shown.results, shown.from, shown.isMatch, current).then(function () {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) link.focus();
      status.textContent = "Showing " + list.children.length + " of " + shown.results.length + " explainers.";
    });
  });

  var params = new URL(window.location.href).searchParams;
  input.value = params.get("q") || "";
  status.textContent = "Loading the search index…";
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
    status.textContent = "The search index could not be loaded (" + err.message + ").";
  });
})();
