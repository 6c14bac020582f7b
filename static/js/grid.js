/* Vitrine product grid: row selection, menus, the mass edit form and a job's live progress.
   Plain JavaScript, no build step. Every page works without it: rows are ticked one by one,
   "select all matching" is a plain checkbox, the mass edit form shows every section and
   the job page shows the counts of the moment (refresh for more). */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var RETRY_MS = 5000;
  var COUNTS = ["total", "processed", "changed", "unchanged", "failed"];

  function setText(root, selector, text) {
    var element = root.querySelector(selector);
    if (element) {
      element.textContent = text;
    }
  }

  /* --- the grid: select all on the page, count, "all matching" ---------------------------- */

  function watchSelection(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row-select]"));
    var page = form.querySelector("[data-select-page]");
    var pageBox = form.querySelector("[data-select-page-box]");
    var all = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-selected-count]");
    if (!rows.length || !page) {
      return;
    }
    pageBox.hidden = false;
    count.hidden = false;

    function update() {
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      page.checked = ticked === rows.length;
      page.indeterminate = ticked > 0 && ticked < rows.length;
      if (all && all.checked) {
        count.textContent = _("Every matching product is selected.");
      } else {
        count.textContent = ngettext("%(num)d selected on this page", "%(num)d selected on this page", ticked);
      }
      rows.forEach(function (box) {
        box.disabled = Boolean(all && all.checked);
      });
    }

    page.addEventListener("change", function () {
      rows.forEach(function (box) {
        box.checked = page.checked;
      });
      update();
    });
    rows.forEach(function (box) {
      box.addEventListener("change", update);
    });
    if (all) {
      all.addEventListener("change", update);
    }
    form.addEventListener("submit", function (event) {
      var ticked = rows.some(function (box) { return box.checked; });
      if (!ticked && !(all && all.checked)) {
        event.preventDefault();
        count.textContent = _("Select at least one product first.");
        page.focus();
      }
    });
    update();
  }

  /* --- menus: Escape closes them and gives the focus back to their button ---------------- */

  function watchMenus() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    var attribute = document.getElementById("add-col");
    var locale = document.getElementById("add-col-locale");
    var scope = document.getElementById("add-col-scope");
    if (attribute && locale && scope) {
      var toggle = function () {
        var option = attribute.options[attribute.selectedIndex];
        locale.disabled = !option || option.getAttribute("data-localizable") !== "1";
        scope.disabled = !option || option.getAttribute("data-scopable") !== "1";
      };
      attribute.addEventListener("change", toggle);
      toggle();
    }
  }

  /* --- the mass edit form: show the section of the chosen operation ----------------------- */

  function watchMassEditForm(form) {
    var sections = form.querySelectorAll("[data-op-section]");
    var choices = form.querySelectorAll('input[name="op"]');

    function show() {
      var checked = form.querySelector('input[name="op"]:checked');
      var kind = checked ? checked.value : "";
      sections.forEach(function (section) {
        var kinds = section.getAttribute("data-op-section").split(" ");
        section.hidden = kinds.indexOf(kind) === -1;
      });
    }

    choices.forEach(function (choice) {
      choice.addEventListener("change", show);
    });
    show();

    var attribute = form.querySelector("[data-attribute-choice]");
    var hint = form.querySelector("[data-attribute-hint]");
    if (attribute && hint) {
      attribute.addEventListener("change", function () {
        if (attribute.value && attribute.value !== attribute.getAttribute("data-shown")) {
          hint.textContent = _("Press “Show the inputs for this attribute” to enter its value.");
        }
      });
    }
  }

  /* --- a job's page: poll its status until it has finished -------------------------------- */

  function showStatus(box, status) {
    var percent = Math.round((status.fraction || 0) * 100);
    var bar = box.querySelector("progress");
    if (bar) {
      bar.value = percent;
      bar.textContent = percent + "%";
    }
    setText(box, '[data-field="percent"]', percent + "%");
    setText(box, '[data-field="message"]', status.message || "");
    var badge = box.querySelector("[data-status-text]");
    if (badge) {
      badge.textContent = statusWord("job", status.status);
      badge.className = "status status-job-" + status.status;
    }
    COUNTS.forEach(function (name) {
      setText(box, '[data-count="' + name + '"]', formatNumber(status[name] || 0));
    });
  }

  function poll(box) {
    var url = box.getAttribute("data-mass-edit-status");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        showStatus(box, status);
        if (status.finished) {
          window.location.reload(); /* the list of refused products is complete: show it */
        } else {
          window.setTimeout(poll, POLL_MS, box);
        }
      })
      .catch(function () {
        window.setTimeout(poll, RETRY_MS, box);
      });
  }

  function watchJobs() {
    document.querySelectorAll("[data-mass-edit-status]").forEach(function (box) {
      if (box.getAttribute("data-finished") === "true") {
        return;
      }
      var hint = box.querySelector("[data-refresh-hint]");
      if (hint) {
        hint.hidden = true;
      }
      box.setAttribute("aria-busy", "true");
      window.setTimeout(poll, POLL_MS, box);
    });
  }

  function start() {
    document.querySelectorAll("[data-grid-selection]").forEach(watchSelection);
    document.querySelectorAll("[data-mass-edit-form]").forEach(watchMassEditForm);
    watchMenus();
    watchJobs();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
