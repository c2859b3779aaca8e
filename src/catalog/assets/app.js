// sigil catalog index: client-side search and filters over window.SIGIL_RULES
// (search-index.js). Works from file:// and from `sigil catalog serve`.
(function () {
  "use strict";
  var rules = window.SIGIL_RULES || [];
  var $ = function (id) { return document.getElementById(id); };
  var q = $("q"), fsrc = $("f-source"), flev = $("f-level"), ftac = $("f-tactic"), flog = $("f-logsource");
  var tbody = document.querySelector("#results tbody"), count = $("count");
  var LIMIT = 300;

  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function cell(tr, child) { var td = document.createElement("td"); td.appendChild(child); tr.appendChild(td); return td; }

  function matches(r, words) {
    if (fsrc.value && r.src !== fsrc.value) return false;
    if (flev.value && r.l !== flev.value) return false;
    if (ftac.value && r.ta.indexOf(ftac.value) < 0) return false;
    if (flog.value && r.ls !== flog.value) return false;
    for (var i = 0; i < words.length; i++) if (r.k.indexOf(words[i]) < 0) return false;
    return true;
  }

  // Rendering only when the query or a filter changed matters: the search box fires
  // "change" when it loses focus, i.e. on the mousedown of a click on a result, and
  // rebuilding the table then would swallow that click.
  var shown = null;
  function render() {
    var state = [q.value, fsrc.value, flev.value, ftac.value, flog.value].join("\u0000");
    if (state === shown) return;
    shown = state;
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var hits = [];
    for (var i = 0; i < rules.length; i++) if (matches(rules[i], words)) hits.push(rules[i]);
    // Title hits first, then by title.
    if (words.length) hits.sort(function (a, b) {
      var ta = words.every(function (w) { return a.tl.indexOf(w) >= 0; }) ? 0 : 1;
      var tb = words.every(function (w) { return b.tl.indexOf(w) >= 0; }) ? 0 : 1;
      return ta - tb || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0);
    });
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    hits.slice(0, LIMIT).forEach(function (r) {
      var tr = document.createElement("tr");
      var a = document.createElement("a");
      a.href = "rules/" + encodeURIComponent(r.s) + ".html";
      a.className = "rule-link";
      a.appendChild(text(r.t));
      cell(tr, a);
      cell(tr, text(r.src));
      cell(tr, text(r.l));
      cell(tr, text(r.ls));
      cell(tr, text(r.te.join(", ")));
      tbody.appendChild(tr);
    });
    count.textContent = hits.length + " of " + rules.length + " rules" + (hits.length > LIMIT ? " (first " + LIMIT + " shown)" : "");
    var params = new URLSearchParams();
    if (q.value) params.set("q", q.value);
    if (fsrc.value) params.set("source", fsrc.value);
    if (flev.value) params.set("level", flev.value);
    if (ftac.value) params.set("tactic", ftac.value);
    if (flog.value) params.set("logsource", flog.value);
    var s = params.toString();
    if (window.history && history.replaceState) history.replaceState(null, "", s ? "?" + s : location.pathname);
  }

  var init = new URLSearchParams(location.search);
  q.value = init.get("q") || "";
  fsrc.value = init.get("source") || "";
  flev.value = init.get("level") || "";
  ftac.value = init.get("tactic") || "";
  flog.value = init.get("logsource") || "";
  [q, fsrc, flev, ftac, flog].forEach(function (el) { el.addEventListener("input", render); el.addEventListener("change", render); });
  render();
})();
