// tenure: the little behaviour pages need, with no library and no inline script (the CSP forbids it).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]');

  // fetch() calls from pages carry the session's CSRF token
  const send = window.fetch.bind(window);
  window.fetch = function (resource, init) {
    init = init || {};
    const method = (init.method || "GET").toUpperCase();
    if (csrf && !["GET", "HEAD", "OPTIONS"].includes(method)) {
      init.headers = new Headers(init.headers || {});
      init.headers.set("X-CSRF-Token", csrf.content);
    }
    return send(resource, init);
  };

  document.addEventListener("DOMContentLoaded", function () {
    // a checkbox with data-select-all ticks every checkbox named by its value (bulk actions)
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll('input[name="' + box.dataset.selectAll + '"]').forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
    // a form with data-confirm asks before it is sent
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
    // a select with data-autosubmit sends its form when it changes (filters)
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
