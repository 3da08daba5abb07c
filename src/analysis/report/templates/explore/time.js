/* Explorer, part 3: the selected topic's prevalence per month, one line per kind of cooperation. */
"use strict";
EXPLORER.time = (function (X) {
  var DASHES = { agglomeration: "", international: "9 5", domestic_other: "2 4", none: "9 4 2 4" };
  var chart, table, measure, unitSelect, toggles;
  var time, counts;  // the view shown: kinds of the articles or of the paragraphs
  var shown = {};

  function useView(unit) {
    time = X.data.time[unit];
    counts = {};  // topic -> kind index -> month index -> n
    time.counts.forEach(function (row) {
      var byKind = counts[row[0]] = counts[row[0]] || {};
      (byKind[row[1]] = byKind[row[1]] || {})[row[2]] = row[3];
    });
    time.kinds.forEach(function (kind) { if (!(kind in shown)) shown[kind] = kind !== "unclassified"; });
  }

  function series(topic, kindIndex) {
    var kind = time.kinds[kindIndex];
    var totals = time.totals[kind];
    var byMonth = (counts[topic] || {})[kindIndex] || {};
    return time.months.map(function (month, m) {
      var n = byMonth[m] || 0;
      return { month: month, n: n, total: totals[m], share: totals[m] ? n / totals[m] : null };
    });
  }

  /** The top of the y axis: a round number at or above ``value``; for counts a multiple of 4,
      so that the four gridlines fall on whole paragraphs. */
  function niceMax(value, isShare) {
    if (!isShare) {
      var unit = Math.pow(10, Math.max(0, Math.floor(Math.log10(Math.max(value, 1) / 4))));
      return Math.max(4, Math.ceil(value / (4 * unit)) * 4 * unit);
    }
    if (value <= 0) return 0.1;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var nice = [1, 2, 2.5, 5, 10].map(function (f) { return f * step; }).filter(function (v) { return v >= value; })[0];
    return Math.min(1, nice);
  }

  function marker(kind, x, y, title) {
    var color = X.kindColor(kind);
    var shape;
    if (kind === "international") {
      shape = X.svg("rect", { x: (x - 4.5).toFixed(1), y: (y - 4.5).toFixed(1), width: 9, height: 9, fill: color });
    } else if (kind === "domestic_other") {
      shape = X.svg("path", { d: "M" + x.toFixed(1) + " " + (y - 6).toFixed(1) + "l5.5 10h-11z", fill: color });
    } else if (kind === "none" || kind === "unclassified") {
      shape = X.svg("path", { d: "M" + x.toFixed(1) + " " + (y - 6).toFixed(1) + "l6 6l-6 6l-6 -6z", fill: color, stroke: "#555555" });
    } else {
      shape = X.svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, fill: color });
    }
    shape.appendChild(X.svg("title", { text: title }));
    return shape;
  }

  function describe(kind, point) {
    return X.kindLabel(kind) + ", " + X.monthLabel(point.month) + ": " +
      X.fmtInt(point.n) + " of " + X.count(point.total, "paragraph", "paragraphs") +
      (point.share === null ? "" : " (" + X.pct(point.share) + ")");
  }

  function draw() {
    X.clear(chart);
    var topic = X.state.topic;
    if (topic === null || !time.months.length) {
      chart.appendChild(X.el("p", { className: "help", text: "No dated paragraph has a topic." }));
      X.clear(table);
      return;
    }
    var isShare = measure.value === "share";
    var width = Math.max(300, chart.clientWidth || 600);
    var height = width < 600 ? 220 : 280;
    var pad = { left: 52, right: 16, top: 14, bottom: 44 };
    var kinds = time.kinds.map(function (k, i) { return i; }).filter(function (i) { return shown[time.kinds[i]]; });
    var all = kinds.map(function (i) { return series(topic, i); });
    var top = niceMax(Math.max.apply(null, [0].concat(all.map(function (s) {
      return Math.max.apply(null, s.map(function (p) { return isShare ? (p.share || 0) : p.n; }));
    }))), isShare);
    var n = time.months.length;
    var plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
    function xAt(m) { return pad.left + (n === 1 ? plotW / 2 : plotW * m / (n - 1)); }
    function yAt(v) { return pad.top + plotH * (1 - v / top); }
    var root = X.svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height,
      role: "img", "aria-label": "Prevalence of " + X.topicName(topic) + " per month and kind; the numbers are in the table below" });
    for (var t = 0; t <= 4; t++) {
      var v = top * t / 4, y = yAt(v);
      root.appendChild(X.svg("line", { x1: pad.left, x2: width - pad.right, y1: y.toFixed(1), y2: y.toFixed(1), stroke: "#d5dae1" }));
      root.appendChild(X.svg("text", { x: pad.left - 6, y: (y + 4).toFixed(1), "text-anchor": "end", "font-size": 12, fill: "#545d6b",
        text: isShare ? X.pct(v, top < 0.1 ? 1 : 0) : X.fmtInt(v) }));
    }
    var every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 70))));
    time.months.forEach(function (month, m) {
      if (m % every !== 0 && m !== n - 1) return;
      var anchor = n > 1 && m === 0 ? "start" : n > 1 && m === n - 1 ? "end" : "middle";
      root.appendChild(X.svg("text", { x: xAt(m).toFixed(1), y: height - pad.bottom + 18, "text-anchor": anchor,
        "font-size": 12, fill: "#545d6b", text: X.monthLabel(month) }));
    });
    kinds.forEach(function (kindIndex, s) {
      var kind = time.kinds[kindIndex];
      var points = all[s];
      var path = "", pen = "M";  // a month without paragraphs of the kind breaks the line
      points.forEach(function (p, m) {
        var value = isShare ? p.share : p.n;
        if (value === null) { pen = "M"; return; }
        path += pen + xAt(m).toFixed(1) + " " + yAt(value).toFixed(1);
        pen = "L";
      });
      root.appendChild(X.svg("path", { d: path, fill: "none", stroke: X.kindColor(kind), "stroke-width": 2.5,
        "stroke-dasharray": DASHES[kind] || "" }));
      points.forEach(function (p, m) {
        var value = isShare ? p.share : p.n;
        if (value !== null) root.appendChild(marker(kind, xAt(m), yAt(value), describe(kind, p)));
      });
    });
    chart.appendChild(root);
    drawTable(topic, kinds, all);
  }

  function drawTable(topic, kinds, all) {
    X.clear(table);
    var head = X.el("tr", {}, [X.el("th", { scope: "col", text: "Month" })].concat(kinds.map(function (i) {
      return X.el("th", { scope: "col", className: "num", text: X.kindLabel(time.kinds[i]) });
    })));
    var body = time.months.map(function (month, m) {
      return X.el("tr", {}, [X.el("th", { scope: "row", text: X.monthLabel(month) })].concat(all.map(function (s) {
        var p = s[m];
        return X.el("td", { className: "num", text: X.fmtInt(p.n) + " / " + X.fmtInt(p.total) +
          (p.share === null ? "" : " (" + X.pct(p.share) + ")") });
      })));
    });
    table.appendChild(X.el("table", {}, [
      X.el("caption", { text: X.topicName(topic) + ": paragraphs in the topic / paragraphs of that kind, per month" }),
      X.el("thead", {}, [head]), X.el("tbody", {}, body)
    ]));
  }

  function drawToggles() {
    Array.prototype.slice.call(toggles.querySelectorAll("label")).forEach(function (n) { n.remove(); });
    time.kinds.forEach(function (kind) {
      var box = X.el("input", { type: "checkbox", id: "time-kind-" + kind, value: kind });
      box.checked = !!shown[kind];
      box.addEventListener("change", function () { shown[kind] = box.checked; draw(); });
      toggles.appendChild(X.el("label", { "for": "time-kind-" + kind }, [box, " ", X.swatch(kind), X.kindShort(kind)]));
    });
  }

  function init() {
    chart = document.getElementById("time-chart");
    table = document.getElementById("time-table");
    measure = document.getElementById("time-measure");
    toggles = document.getElementById("time-kinds");
    unitSelect = document.getElementById("time-unit");
    useView(unitSelect.value);
    var help = "For the topic chosen above: among the modelled paragraphs of each kind of cooperation, " +
      "the share in this topic per month of publication. A paragraph's kind is that of its article, or " +
      "its own code (as in reports/tables/topics/topics_by_coop_type.csv). Months with few paragraphs " +
      "swing widely: the table gives the counts.";
    if (time.undated) help += " " + X.count(time.undated, "paragraph", "paragraphs") + " of undated articles are left out.";
    document.getElementById("time-help").textContent = help;
    measure.addEventListener("change", draw);
    unitSelect.addEventListener("change", function () { useView(unitSelect.value); drawToggles(); draw(); });
    X.on("topic", draw);
    X.on("lang", function () { drawToggles(); draw(); });
    window.addEventListener("resize", X.debounce(draw, 150));
    drawToggles();
    draw();
  }

  return { init: init };
})(EXPLORER);
