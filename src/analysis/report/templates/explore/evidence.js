/* Explorer, part 5: one article's coded evidence in a dialog: its paragraphs with the cue words,
   governments, sector words and deciding sentences highlighted, and what the classifier wrote. */
"use strict";
EXPLORER.evidence = (function (X) {
  var data = X.data;
  var dialog, body, opener = null;
  var STATUS = {
    decided: "decided the code",
    outvoted: "voted for another kind",
    inherited: "took the article's kind",
    cue: "cue without two governments"
  };
  var MARKS = {
    c: ["mark", "hl-cue", "cooperation cue"],
    p: ["span", "hl-party", "government counted as a party"],
    g: ["span", "hl-sector", "sector word"]
  };

  function segmentNode(segment) {
    if (typeof segment === "string") return document.createTextNode(segment);
    var text = segment[0], flags = segment[1];
    var inner = document.createTextNode(text);
    Object.keys(MARKS).forEach(function (flag) {
      if (flags.indexOf(flag) >= 0) {
        var spec = MARKS[flag];
        inner = X.el(spec[0], { className: spec[1], title: spec[2] }, [inner]);
      }
    });
    if (flags.indexOf("s") >= 0) inner = X.el("span", { className: "hl-sentence" }, [inner]);
    return inner;
  }

  function unitLabel(label) {
    if (label === "title") return "Title";
    var match = /^p(\d+)$/.exec(label);
    return match ? "Paragraph " + (Number(match[1]) + 1) : label;
  }

  function named(pairs) {
    return pairs.map(function (p) { return p[1] ? p[0] + " (" + p[1] + ")" : p[0]; }).join(", ");
  }

  function evidenceLine(unit) {
    var parts = [];
    if (unit.d !== undefined) parts.push(X.el("span", {}, ["Rule: ", X.el("code", { text: data.decisions[unit.d] })]));
    if (unit.c) parts.push(X.el("span", { text: "Cues: " + unit.c.join(", ") }));
    if (unit.pa) parts.push(X.el("span", { text: "Governments: " + named(unit.pa) }));
    if (unit.np) parts.push(X.el("span", { text: "Not counted as parties: " + named(unit.np) }));
    if (unit.se) parts.push(X.el("span", { text: "Sector words: " + unit.se.map(function (s) {
      return s[1] + " (" + (s[0] ? X.sectorLabel(s[0]) : "?") + ")"; }).join(", ") }));
    (unit.o || []).forEach(function (o) { parts.push(X.el("span", { text: (o[0] ? o[0] + ": " : "") + o[1] })); });
    return parts.length ? X.el("p", { className: "unit-evidence" }, parts) : null;
  }

  function unitNode(unit) {
    var head = [X.el("span", { text: unitLabel(unit.l) })];
    if (unit.k) head.push(" · ", X.kindLabel(unit.k));
    if (unit.st) head.push(" · ", X.el("span", { className: "badge", text: STATUS[unit.st] || unit.st }));
    if (unit.tp !== undefined) head.push(" · ", X.topicName(unit.tp));
    var node = X.el("div", { className: "unit" + (unit.st ? " st-" + unit.st : ""),
      "data-evidence": unit.st || (unit.c || unit.se || unit.pa ? "words" : "") }, [
      X.el("p", { className: "unit-head" }, head)
    ]);
    if (unit.x) {
      var text = X.el("p", { className: "unit-text" + (unit.l === "title" ? " unit-title" : "") });
      unit.x.forEach(function (s) { text.appendChild(segmentNode(s)); });
      node.appendChild(text);
    }
    X.append(node, [evidenceLine(unit)]);
    return node;
  }

  function facts(row) {
    var list = X.el("dl", { className: "facts" });
    function add(term, value) {
      if (value === null || value === undefined || value === "" || (value.length === 0)) return;
      X.append(list, [X.el("dt", { text: term }), X.el("dd", {}, [].concat(value))]);
    }
    add("Kind", [X.swatch(row.kind), X.kindLabel(row.kind)]);
    add("Partners", row.partners.join("; "));
    add("Sectors", row.sectors.map(X.sectorLabel).join("; "));
    add("Topics", row.topics.map(X.topicName).join("; "));
    if (row.confidence !== null) add("Confidence", typeof row.confidence === "number" ? row.confidence.toFixed(2) : row.confidence);
    if (row.story !== null) add("Story", storyValue(row));
    return list;
  }

  function storyValue(row) {
    if (!row.story) return "";
    var others = X.articles.rows.filter(function (r) { return r.story === row.story && r.i !== row.i; });
    return row.story + (others.length ? " (also: " + others.slice(0, 5).map(function (r) { return r.title || r.id; }).join("; ") +
      (others.length > 5 ? "; …" : "") + ")" : "");
  }

  function sourceLine(row, ev) {
    var parts = [row.outlet || "outlet unknown", row.date || "no date", row.id];
    var line = X.el("p", { className: "meta", text: parts.join(" · ") });
    if (ev && ev.url && /^https?:\/\//i.test(ev.url)) {
      X.append(line, [" · ", X.el("a", { href: ev.url, rel: "noopener noreferrer", target: "_blank", text: "original article (online)" })]);
    }
    return line;
  }

  function why(row, ev) {
    var box = X.el("div", { className: "why" });
    if (!ev) {
      box.appendChild(X.el("p", { text: "No cooperation cue was found anywhere in this article, so the classifier wrote no evidence; its text is not included in this page." }));
      return box;
    }
    var tally = {};
    ev.units.forEach(function (u) { if (u.st) tally[u.st] = (tally[u.st] || 0) + 1; });
    var said = Object.keys(STATUS).filter(function (st) { return tally[st]; }).map(function (st) {
      return X.count(tally[st], "unit", "units") + " " + STATUS[st];
    });
    if (said.length) box.appendChild(X.el("p", { text: "In this article: " + said.join("; ") + " (a unit is the title or a paragraph)." }));
    box.appendChild(X.el("p", {}, ["Classifier: ", X.el("code", { text: data.decisions[ev.summary] })]));
    if (ev.once) box.appendChild(X.el("p", { text: "Named once, not a main partner: " + ev.once.join("; ") }));
    (ev.other || []).forEach(function (line) { box.appendChild(X.el("p", {}, [X.el("code", { text: line })])); });
    if (!ev.text) {
      box.appendChild(X.el("p", { className: "no-text", text: "The text of this article is not included in this page: it was coded not cooperation and is not in the random sample of " +
        X.fmtInt(data.meta.n_none_text) + " such articles shown with their text. The classifier's notes on each unit with a cue follow." }));
    }
    return box;
  }

  function open(request) {
    var row = X.articles.rows[request.row];
    var ev = row.ev >= 0 ? data.evidence[row.ev] : null;
    opener = request.opener || null;
    X.clear(body);
    X.append(body, [
      X.el("h2", { id: "dialog-title", text: row.title || "(untitled article)" }),
      sourceLine(row, ev), facts(row), why(row, ev)
    ]);
    if (ev && ev.units.length) {
      var only = X.el("input", { type: "checkbox", id: "only-evidence" });
      only.addEventListener("change", function () {
        Array.prototype.forEach.call(body.querySelectorAll(".unit"), function (node) {
          node.hidden = only.checked && !node.getAttribute("data-evidence");
        });
      });
      X.append(body, [
        X.el("p", { className: "only-evidence" }, [only, " ", X.el("label", { "for": "only-evidence", text: "Show only the title and paragraphs with evidence" })]),
        X.el("div", { className: "units" }, ev.units.map(unitNode))
      ]);
    }
    if (!dialog.open) dialog.showModal();
    body.scrollTop = 0;
    dialog.scrollTop = 0;
    document.getElementById("dialog-close").focus();
    setHash("#article=" + encodeURIComponent(row.id));
  }

  function setHash(hash) {
    try {
      history.replaceState(null, "", hash || location.pathname + location.search);
    } catch (e) { /* some browsers refuse history changes on file:// pages; the link is optional */ }
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  function openFromHash() {
    var match = /^#article=(.+)$/.exec(location.hash);
    if (!match) return;
    var id;
    try { id = decodeURIComponent(match[1]); } catch (e) { return; }
    var row = X.articles.rows.filter(function (r) { return r.id === id; })[0];
    if (row) open({ row: row.i, opener: null });
  }

  function init() {
    dialog = document.getElementById("article-dialog");
    body = document.getElementById("dialog-body");
    document.getElementById("dialog-close").addEventListener("click", close);
    dialog.addEventListener("click", function (event) {
      // a click on the backdrop (outside the dialog's box) closes it
      var box = dialog.getBoundingClientRect();
      if (event.target === dialog && (event.clientX < box.left || event.clientX > box.right ||
          event.clientY < box.top || event.clientY > box.bottom)) close();
    });
    dialog.addEventListener("close", function () {
      setHash("");
      if (opener && document.body.contains(opener)) opener.focus();
    });
    X.on("open-article", open);
    openFromHash();
  }

  return { init: init };
})(EXPLORER);
