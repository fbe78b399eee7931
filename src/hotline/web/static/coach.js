// Drills and dashboards: charts from the data the page carries, the 工单 suggestion, chat scrolling.
(function () {
  var COLOURS = ["#c92a2a", "#e0a800", "#1f6fb2", "#2b8a3e"];
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
      animation: false, color: COLOURS, tooltip: { trigger: "axis" }, legend: {},
      grid: { left: 40, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "category", data: c.data.turns, name: "轮次" }, yAxis: { type: "value", min: 0, max: 1 },
      series: c.data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; }),
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
  document.addEventListener("click", function (e) {
    if (!e.target || e.target.id !== "apply-suggestion") return;
    var form = document.getElementById("order-form");
    document.querySelectorAll("#suggest-box [data-field]").forEach(function (cell) {
      var input = form.elements[cell.dataset.field];
      if (input && cell.textContent.trim()) input.value = cell.textContent.trim();
    });
  });
  document.addEventListener("htmx:afterSwap", scrollChat);
  function init() { moodChart(); radarChart(); trendChart(); scrollChat(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
