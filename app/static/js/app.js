// The page's behaviours, attached by data attributes: the Content-Security-Policy allows no inline handlers.
document.addEventListener("DOMContentLoaded", function () {
  // Changing the kind of period shows that kind's latest period at once.
  document.querySelectorAll("select[data-kind-picker]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form.period) { select.form.period.value = ""; }
      select.form.submit();
    });
  });
  // A value shown once to be copied (an API token) is selected on focus.
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
});
// The performer picker (templates/assignments/_picker.html) narrows as one types; without JavaScript "Lọc" does it.
document.addEventListener("DOMContentLoaded", function () {
  var plain = function (s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  };
  document.querySelectorAll("input[data-pick-filter]").forEach(function (input) {
    var box = input.closest("[data-picker]");
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    input.addEventListener("input", function () {
      var q = plain(input.value.trim());
      box.querySelectorAll("[data-pick]").forEach(function (row) {
        var checked = row.querySelector("input").checked;
        row.hidden = !(checked || !q || plain(row.getAttribute("data-pick")).indexOf(q) !== -1);
      });
    });
  });
});
