/* Explorer, part 1: the embedded data, safe DOM building, labels and number formats.
   Every text from the data reaches the page through textContent or a text node, never as
   markup; setAttribute refuses event-handler and style attributes. */
"use strict";
var EXPLORER = (function () {
  var data = JSON.parse(document.getElementById("explorer-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg";
  var state = { lang: "en", topic: null };
  var listeners = {};
  var topicsById = {};
  data.topics.forEach(function (t) { topicsById[t.id] = t; });

  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") {
        node.textContent = String(value);
      } else if (/^on/i.test(name) || name.toLowerCase() === "style") {
        throw new Error("attribute not allowed: " + name);
      } else {
        node.setAttribute(name === "className" ? "class" : name, value === true ? "" : String(value));
      }
    });
  }

  function append(node, children) {
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    });
    return node;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    return append(node, children);
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return append(node, children);
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  var intFormat = new Intl.NumberFormat("en-US");
  function fmtInt(n) { return intFormat.format(n); }
  function pct(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return "";
    return (100 * x).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function count(n, one, many) { return fmtInt(n) + " " + (n === 1 ? one : many); }

  function label(key) {
    var entry = data.labels[key];
    if (!entry) return key.split(".").slice(1).join(".").replace(/_/g, " ");
    return entry[state.lang] || entry.en;
  }
  function kindLabel(kind) { return label("coop." + kind); }
  function kindShort(kind) { return label("coop_short." + kind); }
  function sectorLabel(sector) { return label("sector." + sector); }
  function kindColor(kind) { return data.colors[kind] || "#999999"; }
  function monthLabel(month) {
    var parts = month.split("-");
    return label("month." + Number(parts[1])) + " " + parts[0];
  }

  function topicName(id) {
    if (id === null || id === undefined) return "";
    if (id < 0) return "Outliers (no topic)";
    var topic = topicsById[id];
    return topic ? "Topic " + id + ": " + topic.name : "Topic " + id;
  }

  /** Black or white text, whichever contrasts more with a #rrggbb fill. */
  function inkOn(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
  }

  function swatch(kind) {
    var node = el("span", { className: "swatch", "aria-hidden": "true" });
    node.style.background = kindColor(kind);
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function on(name, fn) { (listeners[name] = listeners[name] || []).push(fn); }
  function emit(name, value) { (listeners[name] || []).forEach(function (fn) { fn(value); }); }

  function options(select, items, selected) {
    clear(select);
    items.forEach(function (item) {
      var option = el("option", { value: item[0], text: item[1] });
      if (String(item[0]) === String(selected)) option.selected = true;
      select.appendChild(option);
    });
  }

  return {
    data: data, state: state, topicsById: topicsById, el: el, svg: svg, clear: clear,
    append: append, fmtInt: fmtInt, pct: pct, count: count, label: label,
    kindLabel: kindLabel, kindShort: kindShort, sectorLabel: sectorLabel, kindColor: kindColor,
    monthLabel: monthLabel, topicName: topicName, inkOn: inkOn, swatch: swatch,
    debounce: debounce, on: on, emit: emit, options: options
  };
})();
