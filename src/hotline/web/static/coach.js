// Drills and dashboards: charts from the data the page carries (each mood keeps its colour), the 工单 form
// (cascading category, the system's suggestion beside each field), countdowns, chat scrolling.
(function () {
  function chartOf(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    return { el: el, data: JSON.parse(el.dataset.chart), chart: window.echarts.init(el, null, { renderer: "canvas" }) };
  }
  function done(c) { c.el.dataset.rendered = "1"; window.addEventListener("resize", function () { c.chart.resize(); }); }
  function moodChart() {
    var c = chartOf("mood-chart");
    if (!c) return;
    c.chart.setOption({
      animation: false, color: c.data.series.map(function (s) { return s.colour; }), tooltip: { trigger: "axis" }, legend: {},
      grid: { left: 40, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "category", data: c.data.turns, name: "轮次" }, yAxis: { type: "value", min: 0, max: 1 },
      series: c.data.series.map(function (s) { return { name: s.name, type: "line", data: s.data, itemStyle: { color: s.colour }, lineStyle: { color: s.colour } }; }),
    });
    done(c);
  }
  function radarChart() {
    var c = chartOf("radar-chart");
    if (!c) return;
    c.chart.setOption({
      animation: false, tooltip: {}, legend: {},
      radar: { indicator: c.data.dimensions.map(function (d) { return { name: d, max: 100 }; }) },
      series: [{ type: "radar", data: c.data.series }],
    });
    done(c);
  }
  function trendChart() {
    var c = chartOf("trend-chart");
    if (!c) return;
    c.chart.setOption({
      animation: false, tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: c.data.labels }, yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", data: c.data.values, itemStyle: { color: "#1f6fb2" } }],
    });
    done(c);
  }
  function scrollChat() { var chat = document.getElementById("chat"); if (chat) chat.scrollTop = chat.scrollHeight; var t = document.getElementById("say-text"); if (t) t.focus(); }
  // 工单: the category as one select per level of the taxonomy; choosing a level offers its children
  function cascade() {
    var box = document.getElementById("category-cascade");
    if (!box) return null;
    var tree = JSON.parse(box.dataset.tree), selects = box.querySelectorAll("select");
    function nodesAt(level) {
      var nodes = tree;
      for (var i = 0; i < level; i++) {
        var pick = selects[i].value, node = nodes.filter(function (n) { return n.name === pick; })[0];
        nodes = node ? node.children : [];
      }
      return nodes;
    }
    function fill(level) {
      for (var i = level; i < selects.length; i++) {
        var sel = selects[i], keep = sel.value, nodes = nodesAt(i);
        sel.options.length = 1;
        nodes.forEach(function (n) { sel.add(new Option(n.name, n.name, false, n.name === keep)); });
        sel.disabled = nodes.length === 0;
      }
    }
    selects.forEach(function (sel, i) { sel.addEventListener("change", function () { fill(i + 1); }); });
    fill(1);
    return function set(path) {
      path.forEach(function (name, i) { if (selects[i]) { selects[i].value = name; fill(i + 1); } });
    };
  }
  var setCategory = null;
  function applyField(name, value) {
    var form = document.getElementById("order-form");
    if (!form || !value) return;
    if (name === "category") { if (setCategory) setCategory(value.split(/\s*[›>]\s*/)); return; }
    var input = form.elements[name];
    if (input) input.value = value;
  }
  function showSuggestions() {
    document.querySelectorAll("#suggest-box [data-field]").forEach(function (cell) {
      var value = cell.textContent.trim(), field = document.querySelector('#order-form .field[data-name="' + cell.dataset.field + '"] .suggest');
      if (!field || !value) return;
      field.hidden = false;
      field.textContent = "建议：" + value + " ";
      var use = document.createElement("button");
      use.type = "button"; use.className = "link use-suggestion"; use.textContent = "采用";
      use.addEventListener("click", function () { applyField(cell.dataset.field, value); });
      field.appendChild(use);
    });
  }
  document.addEventListener("click", function (e) {
    if (!e.target || e.target.id !== "apply-suggestion") return;
    document.querySelectorAll("#suggest-box [data-field]").forEach(function (cell) { applyField(cell.dataset.field, cell.textContent.trim()); });
  });
  // a timed exam: the clock runs down on the page; at zero the call ends (the server refuses late turns too)
  function countdown() {
    var el = document.getElementById("countdown");
    if (!el || el.dataset.running) return;
    el.dataset.running = "1";
    var left = parseInt(el.dataset.seconds, 10), timer = setInterval(function () {
      left = Math.max(0, left - 1);
      el.textContent = "剩余 " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left <= 60) el.classList.add("urgent");
      if (left === 0) { clearInterval(timer); var end = document.getElementById(el.dataset.endForm); if (end) end.submit(); }
    }, 1000);
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    scrollChat(); countdown();
    if (e.target && e.target.id === "suggestion") showSuggestions();
  });
  function init() { moodChart(); radarChart(); trendChart(); scrollChat(); setCategory = cascade(); countdown(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
