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
