/* Draw every pmlib figure that carries a spec with the inlined vega-embed bundle. The figure
   already shows something without JavaScript (a static SVG, or its description in words); that
   stays until the interactive chart is drawn, and stays for good if drawing fails. When all
   have settled, <html data-pmlib-charts="done"> tells a printer or a test the page is complete. */
(function () {
  var optsEl = document.getElementById("pmlib-embed-options");
  var opts = optsEl ? JSON.parse(optsEl.textContent) : { renderer: "svg", actions: false };
  var figures = document.querySelectorAll("figure.pmlib-figure");
  var pending = [];
  var MIN_FONT_PX = 11;
  function fail(fig, target, message) {
    fig.classList.add("pmlib-chart-undrawn");
    target.setAttribute("data-pmlib-error", message);
  }
  /* As pmlib.present.figures.fit_svg: scale with the column, never below 11 px text. */
  function fit(svg) {
    var w = parseFloat(svg.getAttribute("width"));
    if (!(w > 0)) { return; }
    var smallest = MIN_FONT_PX;
    var texts = svg.querySelectorAll("text[font-size]");
    if (texts.length) {
      smallest = Infinity;
      Array.prototype.forEach.call(texts, function (t) {
        var s = parseFloat(t.getAttribute("font-size"));
        if (s > 0 && s < smallest) { smallest = s; }
      });
    }
    var minW = Math.ceil(Math.min(w, w * MIN_FONT_PX / smallest));
    svg.setAttribute("style", "width:100%;height:auto;max-width:" + w + "px;min-width:" + minW + "px");
  }
  Array.prototype.forEach.call(figures, function (fig) {
    var target = fig.querySelector(".pmlib-chart");
    var specEl = fig.querySelector("script.pmlib-chart-spec");
    if (!target || !specEl) { return; }
    if (typeof window.vegaEmbed !== "function") { fail(fig, target, "no chart library"); return; }
    var spec;
    try { spec = JSON.parse(specEl.textContent); } catch (err) { fail(fig, target, String(err)); return; }
    var live = document.createElement("div");
    live.hidden = true;
    target.appendChild(live);
    pending.push(window.vegaEmbed(live, spec, opts).then(function (result) {
      Array.prototype.slice.call(target.childNodes).forEach(function (node) {
        if (node !== live) { target.removeChild(node); }
      });
      live.hidden = false;
      target.setAttribute("data-pmlib-drawn", "true");
      var svg = live.querySelector("svg");
      if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); fit(svg); }
      return result;
    }).catch(function (err) {
      if (live.parentNode) { live.parentNode.removeChild(live); }
      fail(fig, target, String(err));
    }));
  });
  Promise.all(pending).then(function () {
    document.documentElement.setAttribute("data-pmlib-charts", "done");
  });
})();
