/* Draw every pmlib figure with the inlined vega-embed bundle. When all have settled,
   <html data-pmlib-charts="done"> tells a printer or a test that the page is complete. */
(function () {
  var optsEl = document.getElementById("pmlib-embed-options");
  var opts = optsEl ? JSON.parse(optsEl.textContent) : { renderer: "svg", actions: false };
  var figures = document.querySelectorAll("figure.pmlib-figure");
  var pending = [];
  function fail(fig, target, message) {
    fig.classList.add("pmlib-chart-failed");
    target.setAttribute("data-pmlib-error", message);
  }
  Array.prototype.forEach.call(figures, function (fig) {
    var target = fig.querySelector(".pmlib-chart");
    var specEl = fig.querySelector("script.pmlib-chart-spec");
    if (!target || !specEl) { return; }
    if (typeof window.vegaEmbed !== "function") { fail(fig, target, "no chart library"); return; }
    var spec;
    try { spec = JSON.parse(specEl.textContent); } catch (err) { fail(fig, target, String(err)); return; }
    pending.push(window.vegaEmbed(target, spec, opts).then(function (result) {
      target.setAttribute("data-pmlib-drawn", "true");
      var svg = target.querySelector("svg");
      if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
      return result;
    }).catch(function (err) { fail(fig, target, String(err)); }));
  });
  Promise.all(pending).then(function () {
    document.documentElement.setAttribute("data-pmlib-charts", "done");
  });
})();
