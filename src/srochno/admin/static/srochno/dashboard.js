// The dashboard's charts: the figures come embedded in the page (no second request).
(function () {
  "use strict";
  var stats = JSON.parse(document.getElementById("srochno-stats").textContent);
  var days = stats.days;
  var labels = days.map(function (d) { return d.date.slice(5); });
  var pick = function (name) { return days.map(function (d) { return d[name]; }); };
  var palette = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9"];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function chart(id, type, series, extra) {
    var el = document.getElementById(id);
    if (!el) return;
    new Chart(el, Object.assign({
      type: type,
      data: {
        labels: labels,
        datasets: series.map(function (s, i) {
          return Object.assign({
            label: s[1], data: pick(s[0]), borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length], tension: 0.25, pointRadius: 2,
          }, s[2] || {});
        }),
      },
      options: { interaction: { mode: "index", intersect: false } },
    }, extra || {}));
  }

  chart("chart-orders", "line", [
    ["orders_created", "Created"], ["orders_taken", "Taken"],
    ["orders_completed", "Completed"], ["orders_closed_no_response", "Closed, no response"],
  ]);
  chart("chart-money", "bar", [
    ["take_revenue", "Take revenue"], ["refunds", "Refunds"], ["stars_income", "Stars income"],
    ["yookassa_income", "YooKassa income"],
  ]);
  chart("chart-executors", "bar", [["active_executors", "Active executors"]]);
  chart("chart-quality", "line", [
    ["completion_rate", "Completion rate", { yAxisID: "rate" }],
    ["median_minutes_to_first_take", "Median minutes to first take", { yAxisID: "minutes" }],
  ], {
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        rate: { position: "left", min: 0, max: 1 },
        minutes: { position: "right", min: 0, grid: { drawOnChartArea: false } },
      },
    },
  });
})();
