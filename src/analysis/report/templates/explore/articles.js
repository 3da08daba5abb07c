/* Explorer, part 4: the article table with search, filters, sorting and pages. */
"use strict";
EXPLORER.articles = (function (X) {
  var data = X.data;
  var cols = data.articles;
  var rows = cols.id.map(function (rest, i) {
    return {
      i: i, id: data.id_prefixes[cols.id_prefix[i]] + rest, title: cols.title[i], outlet: cols.outlet[i] >= 0 ? data.outlets[cols.outlet[i]] : "",
      date: cols.date[i], kind: data.kinds[cols.kind[i]],
      partners: cols.partners[i].map(function (k) { return data.partners[k]; }),
      sectors: cols.sectors[i].map(function (k) { return data.sectors[k]; }),
      topics: cols.topics[i], ev: cols.evidence[i],
      confidence: cols.confidence ? cols.confidence[i] : null,
      story: cols.story_id ? cols.story_id[i] : null
    };
  });
  var view = { filtered: rows, page: 0, size: 50, sort: "date", dir: -1 };
  var haystack = null;
  var inputs = {};
  var COLUMNS = [
    { key: "title", label: "Article" },
    { key: "kind", label: "Kind of cooperation" },
    { key: "partners", label: "Partners" },
    { key: "sectors", label: "Sectors" },
    { key: "outlet", label: "Outlet" },
    { key: "date", label: "Date" },
    { key: "topic", label: "Main topic" }
  ];
  if (cols.confidence) COLUMNS.push({ key: "confidence", label: "Confidence", num: true });
  if (cols.story_id) COLUMNS.push({ key: "story", label: "Story" });

  function unitText(unit) {
    return (unit.x || []).map(function (s) { return typeof s === "string" ? s : s[0]; }).join("");
  }

  function searchText(row) {
    var parts = [row.title, row.id, row.outlet, row.partners.join(" "), row.story || ""];
    if (row.ev >= 0) data.evidence[row.ev].units.forEach(function (u) { parts.push(unitText(u)); });
    return parts.join("\n").toLowerCase();
  }

  function sortValue(row, key) {
    if (key === "kind") return data.kinds.indexOf(row.kind);
    if (key === "partners") return row.partners.join("; ").toLowerCase();
    if (key === "sectors") return row.sectors.map(X.sectorLabel).join("; ").toLowerCase();
    if (key === "topic") return row.topics.length ? row.topics[0] : 1e9;
    if (key === "confidence") return typeof row.confidence === "number" ? row.confidence : -1e9;
    if (key === "story") return row.story || "";
    return (row[key] || "").toLowerCase();
  }

  function compare(a, b) {
    var va = sortValue(a, view.sort), vb = sortValue(b, view.sort);
    if (va < vb) return -view.dir;
    if (va > vb) return view.dir;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  function matches(row, f, words) {
    if (f.kind === "coop" ? row.kind === "none" : f.kind && row.kind !== f.kind) return false;
    if (f.sector && row.sectors.indexOf(f.sector) < 0) return false;
    if (f.partner && row.partners.indexOf(f.partner) < 0) return false;
    if (f.outlet && row.outlet !== f.outlet) return false;
    if (f.topic !== "" && row.topics.indexOf(Number(f.topic)) < 0) return false;
    if ((f.from || f.to) && !row.date) return false;
    if (f.from && row.date < f.from) return false;
    if (f.to && row.date > f.to) return false;
    if (words.length) {
      var text = haystack[row.i];
      for (var k = 0; k < words.length; k++) if (text.indexOf(words[k]) < 0) return false;
    }
    return true;
  }

  function apply(keepPage) {
    var f = {};
    Object.keys(inputs).forEach(function (k) { f[k] = inputs[k].value; });
    var words = f.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && haystack === null) haystack = rows.map(searchText);
    view.filtered = rows.filter(function (row) { return matches(row, f, words); }).sort(compare);
    if (!keepPage) view.page = 0;
    render();
  }

  function cell(column, row) {
    var td = X.el("td", { "data-label": column.key === "title" ? null : column.label,
      className: column.key === "title" || column.key === "date" ? column.key : column.num ? "num" : null });
    if (column.key === "title") {
      var open = X.el("button", { type: "button", className: "open", "data-row": row.i,
        text: row.title || "(untitled article)" });
      open.addEventListener("click", function () { X.emit("open-article", { row: row.i, opener: open }); });
      X.append(td, [open, X.el("span", { className: "sub", text: row.id })]);
    } else if (column.key === "kind") {
      X.append(td, [X.el("span", { className: "kind" }, [X.swatch(row.kind), X.kindShort(row.kind)])]);
    } else if (column.key === "partners") {
      td.textContent = row.partners.join("; ");
    } else if (column.key === "sectors") {
      row.sectors.forEach(function (s) { td.appendChild(X.el("span", { className: "chip", text: X.sectorLabel(s) })); });
    } else if (column.key === "topic") {
      if (row.topics.length) {
        td.textContent = X.topicName(row.topics[0]);
        if (row.topics.length > 1) td.appendChild(X.el("span", { className: "sub", text: "+" + (row.topics.length - 1) + " more" }));
      }
    } else if (column.key === "confidence") {
      td.textContent = typeof row.confidence === "number" ? row.confidence.toFixed(2) : (row.confidence || "");
    } else {
      td.textContent = row[column.key] || "";
    }
    return td;
  }

  function renderHead() {
    var head = X.clear(document.getElementById("article-head"));
    COLUMNS.forEach(function (column) {
      var th = X.el("th", { scope: "col", className: column.num ? "num" : null });
      if (column.key === view.sort) th.setAttribute("aria-sort", view.dir > 0 ? "ascending" : "descending");
      var button = X.el("button", { type: "button", text: column.label });
      button.addEventListener("click", function () {
        view.dir = view.sort === column.key ? -view.dir : (column.key === "date" || column.num ? -1 : 1);
        view.sort = column.key;
        apply(false);
      });
      head.appendChild(X.append(th, [button]));
    });
  }

  function render() {
    renderHead();
    var body = X.clear(document.getElementById("article-rows"));
    var total = view.filtered.length;
    var pages = Math.max(1, Math.ceil(total / view.size));
    view.page = Math.min(view.page, pages - 1);
    var start = view.page * view.size;
    view.filtered.slice(start, start + view.size).forEach(function (row) {
      body.appendChild(X.el("tr", {}, COLUMNS.map(function (c) { return cell(c, row); })));
    });
    document.getElementById("result-count").textContent = total
      ? "Showing " + X.fmtInt(start + 1) + "–" + X.fmtInt(Math.min(total, start + view.size)) + " of " +
        X.count(total, "article", "articles") + (total < rows.length ? " (filtered from " + X.fmtInt(rows.length) + ")" : "")
      : "No article matches these filters.";
    document.getElementById("page-info").textContent = "Page " + (view.page + 1) + " of " + pages;
    document.getElementById("page-prev").disabled = view.page === 0;
    document.getElementById("page-next").disabled = view.page >= pages - 1;
  }

  function countBy(values) {
    var counts = {};
    values.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
    return counts;
  }

  function fillFilters(initial) {
    var kinds = countBy(rows.map(function (r) { return r.kind; }));
    var coded = rows.length - (kinds.none || 0);
    var kindItems = [["", "All articles (" + X.fmtInt(rows.length) + ")"], ["coop", "Any cooperation (" + X.fmtInt(coded) + ")"]];
    data.kinds.forEach(function (k) { if (kinds[k]) kindItems.push([k, X.kindLabel(k) + " (" + X.fmtInt(kinds[k]) + ")"]); });
    X.options(inputs.kind, kindItems, initial ? (coded ? "coop" : "") : inputs.kind.value);
    var sectors = countBy([].concat.apply([], rows.map(function (r) { return r.sectors; })));
    X.options(inputs.sector, [["", "Any sector"]].concat(data.sectors.filter(function (s) { return sectors[s]; }).map(function (s) {
      return [s, X.sectorLabel(s) + " (" + X.fmtInt(sectors[s]) + ")"]; })), inputs.sector.value);
    var partners = countBy([].concat.apply([], rows.map(function (r) { return r.partners; })));
    X.options(inputs.partner, [["", "Any partner"]].concat(data.partners.map(function (p) {
      return [p, p + " (" + X.fmtInt(partners[p] || 0) + ")"]; })), inputs.partner.value);
    var outlets = countBy(rows.map(function (r) { return r.outlet; }));
    X.options(inputs.outlet, [["", "Any outlet"]].concat(data.outlets.map(function (o) {
      return [o, o + " (" + X.fmtInt(outlets[o] || 0) + ")"]; })), inputs.outlet.value);
    X.options(inputs.topic, [["", "Any topic"]].concat(data.topics.map(function (t) {
      return [t.id, X.topicName(t.id)]; })), inputs.topic.value);
  }

  function init() {
    ["search", "kind", "sector", "partner", "outlet", "topic", "from", "to"].forEach(function (k) {
      inputs[k] = document.getElementById("f-" + k);
    });
    fillFilters(true);
    var later = X.debounce(function () { apply(false); }, 120);
    inputs.search.addEventListener("input", later);
    Object.keys(inputs).forEach(function (k) {
      if (k !== "search") inputs[k].addEventListener("change", function () { apply(false); });
    });
    document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); apply(false); });
    document.getElementById("filters").addEventListener("reset", function () {
      setTimeout(function () { inputs.kind.value = ""; apply(false); }, 0);
    });
    document.getElementById("page-prev").addEventListener("click", function () { view.page -= 1; render(); });
    document.getElementById("page-next").addEventListener("click", function () { view.page += 1; render(); });
    document.getElementById("page-size").addEventListener("change", function (e) {
      view.size = Number(e.target.value); view.page = 0; render();
    });
    X.on("filter-topic", function (id) {
      inputs.topic.value = String(id);
      inputs.kind.value = "";
      apply(false);
      document.getElementById("articles").scrollIntoView();
      inputs.topic.focus();
    });
    X.on("lang", function () { fillFilters(false); apply(true); });
    apply(false);
  }

  return { init: init, rows: rows };
})(EXPLORER);
