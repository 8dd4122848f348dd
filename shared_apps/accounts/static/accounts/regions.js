// Cascading province → city → district selects. A select with data-region-level and
// data-region-child="<id of the next select>" refills the next one from the regions API when
// it changes (and empties the ones below it). The API URL is the closest data-regions-url, else
// /api/v1/regions/. Without this script the page still works: its "Update the lists" button
// (data-region-refresh, hidden here) asks the server for the next level.
(function () {
  "use strict";
  var cache = {};

  function apiUrl(select) {
    var holder = select.closest("[data-regions-url]");
    return (holder && holder.getAttribute("data-regions-url")) || "/api/v1/regions/";
  }

  function fill(select, rows) {
    var blank = select.options.length ? select.options[0].textContent : "—";
    while (select.options.length) { select.remove(0); }
    select.add(new Option(blank, ""));
    rows.forEach(function (row) { select.add(new Option(row.name, row.code)); });
    // A city that is its own one district: choose it, there is nothing else to choose.
    if (rows.length === 1) { select.value = rows[0].code; }
  }

  function load(url, parent) {
    var key = url + "?" + parent;
    if (!cache[key]) {
      cache[key] = fetch(url + "?parent=" + encodeURIComponent(parent), {credentials: "same-origin"})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    }
    return cache[key];
  }

  function cascade(select) {
    var childId = select.getAttribute("data-region-child");
    var child = childId && document.getElementById(childId);
    if (!child) { return; }
    fill(child, []);
    var grandId = child.getAttribute("data-region-child");
    var grand = grandId && document.getElementById(grandId);
    if (grand) { fill(grand, []); }
    if (!select.value) { return; }
    load(apiUrl(select), select.value).then(function (rows) {
      fill(child, rows);
      if (child.value) { cascade(child); }
    }, function () { /* leave it empty: submitting names the missing field */ });
  }

  document.querySelectorAll("select[data-region-child]").forEach(function (select) {
    select.addEventListener("change", function () { cascade(select); });
  });
  // The stylesheet gives buttons a display of their own, which beats the hidden attribute.
  document.querySelectorAll("[data-region-refresh]").forEach(function (el) {
    el.hidden = true;
    el.style.display = "none";
  });
})();
