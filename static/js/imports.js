/* Vitrine imports: the live progress of a job, and small helps in the mapping editor.
   Plain JavaScript, no build step. Every page works without it: the job page shows the
   counts of the moment (refresh for more) and the editor shows every input. */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var RETRY_MS = 5000;
  var COUNTS = ["read", "created", "updated", "skipped", "failed", "warnings"];

  function setText(root, selector, text) {
    var element = root.querySelector(selector);
    if (element) {
      element.textContent = text;
    }
  }

  /* --- job page: poll /imports/<id>/status until the job has finished ------------------ */

  function showStatus(box, status) {
    var percent = Math.round((status.fraction || 0) * 100);
    var bar = box.querySelector("progress");
    if (bar) {
      bar.value = percent;
      bar.textContent = percent + "%";
    }
    setText(box, '[data-field="percent"]', percent + "%");
    setText(box, '[data-field="phase"]', status.phase ? statusWord("import_phase", status.phase) : _("waiting"));
    setText(box, '[data-field="message"]', status.message || "");
    var badge = box.querySelector("[data-status-text]");
    if (badge) {
      badge.textContent = statusWord("job", status.status);
      badge.className = "status status-job-" + status.status;
    }
    COUNTS.forEach(function (name) {
      setText(box, '[data-count="' + name + '"]', formatNumber(status[name] || 0));
    });
    setText(box, '[data-count="written"]', formatNumber((status.created || 0) + (status.updated || 0)));
  }

  function poll(box) {
    var url = box.getAttribute("data-import-status");
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
          window.location.reload(); /* the report is complete: show it */
        } else {
          window.setTimeout(poll, POLL_MS, box);
        }
      })
      .catch(function () {
        window.setTimeout(poll, RETRY_MS, box);
      });
  }

  function watchJobs() {
    document.querySelectorAll("[data-import-status]").forEach(function (box) {
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

  /* --- mapping editor ----------------------------------------------------------------- */

  function showCell(row, selector, visible) {
    var cell = row.querySelector(selector);
    if (cell) {
      cell.classList.toggle("is-irrelevant", !visible);
    }
  }

  function updateTarget(row) {
    var select = row.querySelector("[data-target]");
    var option = select.options[select.selectedIndex];
    row.classList.toggle("is-ignored", select.value === "");
    showCell(row, "[data-locale-cell]", option.getAttribute("data-localizable") === "1");
    showCell(row, "[data-scope-cell]", option.getAttribute("data-scopable") === "1");
  }

  /* the same words as EditorRow.transform_summary in pim/web/profile_editor.py */
  function describeTransforms(details) {
    var words = [];
    details.querySelectorAll("[data-summary]").forEach(function (input) {
      var word = input.getAttribute("data-summary");
      if (input.type === "checkbox") {
        if (input.checked) {
          words.push(word);
        }
      } else if (input.value.trim() !== "") {
        words.push(input.hasAttribute("data-summary-flag") ? word : word + " " + input.value);
      }
    });
    setText(details, "[data-transform-summary]", words.length ? words.join(", ") : _("none"));
  }

  function watchEditor() {
    document.querySelectorAll("[data-mapping-row]").forEach(function (row) {
      var select = row.querySelector("[data-target]");
      select.addEventListener("change", function () {
        updateTarget(row);
      });
      updateTarget(row);
      var details = row.querySelector("details.transforms");
      if (details) {
        details.addEventListener("input", function () {
          describeTransforms(details);
        });
        details.addEventListener("change", function () {
          describeTransforms(details);
        });
      }
    });
    var kind = document.querySelector("[data-source-kind]");
    var name = document.querySelector("[data-supplier-name]");
    if (kind && name) {
      var toggle = function () {
        name.hidden = kind.value !== "supplier";
      };
      kind.addEventListener("change", toggle);
      toggle();
    }
  }

  function start() {
    watchJobs();
    watchEditor();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
