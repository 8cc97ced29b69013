// gazette search: loads the site's index once and filters it as the reader types.
// No dependencies; results are built with DOM nodes, never innerHTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!script || !input || !list || !status) return;
  var MAX_RESULTS = 50;
  var entries = null;
  // Index dates are days (YYYY-MM-DD); shown like the pages show them, in the page's language.
  var longDate = (function () {
    try {
      var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "long", timeZone: "UTC" });
      return function (day) {
        var d = new Date(day + "T00:00:00Z");
        return isNaN(d) ? day : format.format(d);
      };
    } catch (e) {
      return function (day) { return day; };
    }
  })();

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function terms(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function load() {
    return fetch(script.getAttribute("data-index"))
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (index) {
        entries = index.articles.map(function (a) {
          var tags = a[3].map(function (t) { return index.tags[t]; });
          var category = index.categories[a[2]];
          return {
            title: a[0], summary: a[1], category: category, tags: tags, url: a[4], date: a[5],
            t: fold(a[0]), s: fold(a[1]), k: fold(tags.join(" ") + " " + category)
          };
        });
      });
  }

  // Every term must appear; matches in titles count most, then topics, then summaries.
  // The last term matches as a prefix, so results appear while a word is being typed.
  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      var last = i === words.length - 1;
      var hit = 0;
      if (matches(entry.t, w, last)) hit += 3;
      if (matches(entry.k, w, last)) hit += 2;
      if (matches(entry.s, w, last)) hit += 1;
      if (!hit) return 0;
      total += hit;
    }
    return total;
  }

  function matches(text, word, prefix) {
    var at = text.indexOf(word);
    while (at !== -1) {
      var before = at === 0 || !/[\p{L}\p{N}]/u.test(text[at - 1]);
      var end = at + word.length;
      var after = prefix || end === text.length || !/[\p{L}\p{N}]/u.test(text[end]);
      if (before && after) return true;
      at = text.indexOf(word, at + 1);
    }
    return false;
  }

  function render(query) {
    var words = terms(query);
    list.textContent = "";
    if (!words.length) {
      status.textContent = "";
      return;
    }
    var found = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], words);
      if (s) found.push({ score: s, entry: entries[i], order: i });
    }
    found.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    var shown = found.slice(0, MAX_RESULTS);
    status.textContent = found.length === 0 ? "No explainers match “" + query + "”."
      : found.length === 1 ? "1 explainer matches."
      : found.length > MAX_RESULTS ? found.length + " explainers match; showing the best " + MAX_RESULTS + "."
      : found.length + " explainers match.";
    shown.forEach(function (f) {
      var e = f.entry;
      var li = document.createElement("li");
      li.className = "search-result";
      var kicker = document.createElement("p");
      kicker.className = "kicker";
      kicker.textContent = e.category;
      var h = document.createElement("h2");
      h.className = "card-title";
      var a = document.createElement("a");
      a.href = e.url;
      a.textContent = e.title;
      h.appendChild(a);
      var p = document.createElement("p");
      p.className = "card-summary";
      p.textContent = e.summary;
      var meta = document.createElement("p");
      meta.className = "meta";
      var time = document.createElement("time");
      time.dateTime = e.date;
      time.textContent = longDate(e.date);
      meta.appendChild(time);
      li.append(kicker, h, p, meta);
      list.appendChild(li);
    });
  }

  var timer = 0;
  function update() {
    var query = input.value.trim();
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (entries) render(query);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 60);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });

  var initial = new URL(window.location.href).searchParams.get("q") || "";
  input.value = initial;
  status.textContent = "Loading the search index…";
  load().then(function () {
    status.textContent = "";
    render(input.value.trim());
  }, function (err) {
    status.textContent = "The search index could not be loaded (" + err.message + ").";
  });
})();
