/* Live filtering and sorting of the models tables (progressive enhancement).
   Without JavaScript the tables are complete and sorted, the column headings link to
   pre-rendered sort orders and the facet links lead to filtered pages. This script makes
   no request and keeps its state in the URL fragment (#ow=open&lc=permissive&sort=input). */
(function () {
  "use strict";
  var table = document.querySelector("table[data-models]");
  var form = document.querySelector("form.live-filter");
  if (!table || !form || !table.tBodies.length) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var total = rows.length;
  var fields = { q: form.elements.q, vendor: form.elements.vendor, ow: form.elements.ow, lc: form.elements.lc };
  var count = document.getElementById("f-count");
  var numeric = { input: true, output: true, context: true, released: false };
  var defaultDir = { released: "desc", context: "desc" };
  var state = { sort: table.getAttribute("data-sort") || "released", dir: "" };
  state.dir = defaultDir[state.sort] || "asc";

  function value(row, key) {
    if (key === "name") { return row.getAttribute("data-name") || ""; }
    if (key === "vendor") { return (row.getAttribute("data-vendor") || "").toLowerCase(); }
    return row.getAttribute("data-" + key) || "";
  }

  function compare(a, b) {
    var x = value(a, state.sort), y = value(b, state.sort);
    if (x === "" && y !== "") { return 1; }
    if (y === "" && x !== "") { return -1; }
    var result;
    if (numeric[state.sort]) { result = parseFloat(x) - parseFloat(y); }
    else { result = x < y ? -1 : x > y ? 1 : 0; }
    if (result === 0) { result = value(a, "name") < value(b, "name") ? -1 : 1; return result; }
    return state.dir === "desc" ? -result : result;
  }

  function apply(resort, quiet) {
    var q = fields.q.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = (!q || value(row, "name").indexOf(q) !== -1) &&
        (!fields.vendor.value || row.getAttribute("data-vendor") === fields.vendor.value) &&
        (!fields.ow.value || row.getAttribute("data-ow") === fields.ow.value) &&
        (!fields.lc.value || row.getAttribute("data-lc") === fields.lc.value);
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (resort) {
      // Rows move only when the order changes: moving them while a link is being clicked would cancel the click.
      var sorted = rows.slice().sort(compare);
      var fragment = document.createDocumentFragment();
      sorted.forEach(function (row) { fragment.appendChild(row); });
      tbody.appendChild(fragment);
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute("data-key") === state.sort) {
        th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
      } else { th.removeAttribute("aria-sort"); }
    });
    count.textContent = shown === total ? total + " models" : shown + " of " + total + " models";
    if (!quiet) { save(); }
  }

  function save() {
    var parts = [];
    Object.keys(fields).forEach(function (k) {
      if (fields[k].value) { parts.push(k + "=" + encodeURIComponent(fields[k].value)); }
    });
    parts.push("sort=" + state.sort, "dir=" + state.dir);
    var hash = "#" + parts.join("&");
    if (window.location.hash !== hash && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash);
    }
  }

  function load() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (pair) {
      var i = pair.indexOf("="), k = pair.slice(0, i), v = decodeURIComponent(pair.slice(i + 1));
      if (fields[k]) {
        var known = fields[k].tagName !== "SELECT" || Array.prototype.some.call(fields[k].options, function (o) { return o.value === v; });
        if (known) { fields[k].value = v; }
      } else if (k === "sort" && sortable[v]) { state.sort = v; }
      else if (k === "dir" && (v === "asc" || v === "desc")) { state.dir = v; }
    });
  }

  var sortable = {};
  Array.prototype.forEach.call(table.querySelectorAll("[data-sort-key]"), function (label) {
    var key = label.getAttribute("data-sort-key");
    sortable[key] = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.setAttribute("data-sort-key", key);
    button.textContent = label.textContent;
    button.addEventListener("click", function () {
      if (state.sort === key) { state.dir = state.dir === "asc" ? "desc" : "asc"; }
      else { state.sort = key; state.dir = defaultDir[key] || "asc"; }
      apply(true);
    });
    label.parentNode.replaceChild(button, label);
  });
  form.addEventListener("input", function () { apply(false); });
  form.addEventListener("change", function () { apply(false); });
  form.addEventListener("reset", function () { window.setTimeout(function () { apply(false); }, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  var initial = state.sort + state.dir;
  load();
  apply(state.sort + state.dir !== initial, true);
}());

// The cost calculator of a model page: the rule of tracker/cost.py (whole request at the tier the prompt length
// selects; cached tokens are part of the prompt), in exact integer arithmetic (BigInt, 1e-9 of a dollar per 1M
// tokens), never floating point. The page works without it: the preset sizes are priced server-side.
(function () {
  "use strict";
  var box = document.getElementById("cost-calculator");
  if (!box || !box.dataset.offers || typeof BigInt === "undefined") return;
  // [[offer, [[component, tier, min_prompt_tokens, usd_per_mtok], ...]], ...]
  var offers = JSON.parse(box.dataset.offers).map(function (o) {
    return {
      offer: o[0],
      prices: o[1].map(function (p) {
        return { component: p[0], tier: p[1], min_prompt_tokens: p[2], usd_per_mtok: p[3] };
      }),
    };
  });
  var SCALE = 9;

  function scaled(text) {
    var parts = String(text).split(".");
    var frac = (parts[1] || "").slice(0, SCALE);
    while (frac.length < SCALE) frac += "0";
    return BigInt(parts[0] + frac);
  }

  function dollars(units) {
    // units: 1e-15 dollars (tokens × 1e-9 $/M ÷ 1e6), rounded to the millionth of a dollar like tracker cost
    var s = (units + BigInt(500000000)).toString();
    while (s.length < 16) s = "0" + s;
    var whole = s.slice(0, s.length - 15);
    var frac = s.slice(s.length - 15, s.length - 9).replace(/0+$/, "");
    while (frac.length < 2) frac += "0";
    return "$" + whole + "." + frac;
  }

  function priceText(text) {
    var parts = String(text).split(".");
    var frac = parts[1] || "";
    while (frac.length < 2) frac += "0";
    return "$" + parts[0] + "." + frac;
  }

  function priceOf(prices, component, tier) {
    var base = null, chosen = null;
    prices.forEach(function (p) {
      if (p.component !== component || p.usd_per_mtok === null) return;
      if (p.tier === "") base = p;
      if (tier && p.tier === tier) chosen = p;
    });
    return chosen || base;
  }

  function cost(offer, prompt, completion, cached) {
    var tier = "", best = -1;
    offer.prices.forEach(function (p) {
      if (p.tier && p.min_prompt_tokens !== null && p.min_prompt_tokens <= prompt && p.min_prompt_tokens > best) {
        best = p.min_prompt_tokens;
        tier = p.tier;
      }
    });
    if (cached && !priceOf(offer.prices, "input_cache_read", tier)) cached = 0;
    var terms = [["prompt", prompt - cached], ["input_cache_read", cached], ["completion", completion]];
    var total = BigInt(0), lines = [];
    var fee = priceOf(offer.prices, "request", tier);
    for (var i = 0; i < terms.length; i++) {
      var component = terms[i][0], count = terms[i][1];
      if (component === "input_cache_read" && !count) continue;
      var price = priceOf(offer.prices, component, tier);
      if (!price) return null;
      var units = BigInt(count) * scaled(price.usd_per_mtok);
      total += units;
      lines.push(component + ": " + count.toLocaleString("en") + " tokens × " + priceText(price.usd_per_mtok) + "/M = " + dollars(units));
    }
    if (fee && scaled(fee.usd_per_mtok) > BigInt(0)) {
      var feeUnits = scaled(fee.usd_per_mtok) * BigInt(1000000);  // dollars per request → 1e-15 dollars
      total += feeUnits;
      lines.push("request fee: " + dollars(feeUnits));
    }
    return { offer: offer.offer, tier: tier ? "tier " + tier + " (whole request)" : "base price", total: total, lines: lines };
  }

  function update() {
    var read = function (name) {
      var v = parseInt(box.querySelector('[data-cost="' + name + '"]').value, 10);
      return isNaN(v) || v < 0 ? 0 : v;
    };
    var prompt = read("prompt"), completion = read("completion"), cached = Math.min(read("cached"), prompt);
    var out = box.querySelector('[data-cost="result"]');
    out.textContent = "";
    offers.map(function (o) { return cost(o, prompt, completion, cached); })
      .filter(Boolean)
      .sort(function (a, b) { return a.total < b.total ? -1 : a.total > b.total ? 1 : 0; })
      .forEach(function (c) {
        var p = document.createElement("p");
        p.textContent = c.offer + " — " + c.tier + ": " + dollars(c.total) + " (" + c.lines.join("; ") + ")";
        out.appendChild(p);
      });
  }

  box.hidden = false;
  box.addEventListener("input", update);
  update();
})();
