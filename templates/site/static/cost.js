// The cost calculator of a model page: the rule of tracker/cost.py (whole request at the tier the prompt length
// selects; cached tokens are part of the prompt), in exact integer arithmetic (BigInt, 1e-9 of a dollar per 1M
// tokens), never floating point. The page works without it: the preset sizes are priced server-side.
(function () {
  "use strict";
  var box = document.getElementById("cost-calculator");
  var data = document.getElementById("cost-data");
  if (!box || !data || typeof BigInt === "undefined") return;
  var offers = JSON.parse(data.textContent);
  var SCALE = 9;

  function scaled(text) {
    var parts = String(text).split(".");
    var frac = (parts[1] || "").slice(0, SCALE);
    while (frac.length < SCALE) frac += "0";
    return BigInt(parts[0] + frac);
  }

  function dollars(units) {
    // units: 1e-15 dollars (tokens × 1e-9 $/M ÷ 1e6)
    var s = units.toString();
    while (s.length < 16) s = "0" + s;
    var whole = s.slice(0, s.length - 15);
    var frac = s.slice(s.length - 15, s.length - 9).replace(/0+$/, "");
    while (frac.length < 2) frac += "0";
    return "$" + whole + "." + frac;
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
    for (var i = 0; i < terms.length; i++) {
      var component = terms[i][0], count = terms[i][1];
      if (component === "input_cache_read" && !count) continue;
      var price = priceOf(offer.prices, component, tier);
      if (!price) return null;
      var units = BigInt(count) * scaled(price.usd_per_mtok);
      total += units;
      lines.push(component + ": " + count.toLocaleString("en") + " tokens × $" + price.usd_per_mtok + "/M = " + dollars(units));
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
