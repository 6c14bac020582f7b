/* Vitrine feeds: the live preview of the edit form, the starting mapping of a format,
   copying pull URLs, and the progress of running feed builds.
   Plain JavaScript, no build step. Every page works without it: the form saves, and the
   runs page shows the counts of the moment (reload for more). */
(function () {
  "use strict";

  var DEBOUNCE_MS = 600;
  var POLL_MS = 1000;
  var RETRY_MS = 5000;

  function setText(root, selector, text) {
    var element = root.querySelector(selector);
    if (element) {
      element.textContent = text;
    }
  }

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* --- preview: post the form as it is, show the items and the funnel ------------------ */

  function showProblems(panel, problems) {
    var list = panel.querySelector("[data-preview-problems]");
    list.textContent = "";
    problems.forEach(function (problem) {
      var prefix = problem.field ? problem.field.replace(/_/g, " ") + ": " : "";
      list.appendChild(element("li", prefix + problem.message));
    });
    list.hidden = problems.length === 0;
  }

  function showReasons(panel, reasons) {
    var list = panel.querySelector("[data-funnel-reasons]");
    list.textContent = "";
    Object.keys(reasons)
      .sort(function (a, b) {
        return reasons[b].count - reasons[a].count;
      })
      .forEach(function (reason) {
        var entry = reasons[reason];
        var item = element("li");
        item.setAttribute("data-reason", reason);
        item.appendChild(element("strong", String(entry.count)));
        item.appendChild(document.createTextNode(" " + reason + " "));
        if (entry.sample && entry.sample.length) {
          var sample = element("span", _("e.g. %(samples)s", { samples: entry.sample.join(", ") }));
          sample.className = "muted";
          item.appendChild(sample);
        }
        list.appendChild(item);
      });
  }

  function showTable(panel, columns, items) {
    var table = panel.querySelector("[data-preview-table]");
    var head = table.querySelector("thead");
    var body = table.querySelector("tbody");
    head.textContent = "";
    body.textContent = "";
    var row = element("tr");
    columns.forEach(function (column) {
      var cell = element("th", column);
      cell.scope = "col";
      row.appendChild(cell);
    });
    head.appendChild(row);
    items.forEach(function (item) {
      var line = element("tr");
      columns.forEach(function (column) {
        line.appendChild(element("td", item[column] || ""));
      });
      body.appendChild(line);
    });
  }

  function showPreview(panel, data) {
    var body = panel.querySelector("[data-preview-body]");
    showProblems(panel, data.problems || []);
    if (!data.ok) {
      body.hidden = true;
      setText(panel, "[data-preview-status]", _("The feed cannot be previewed as it is:"));
      return;
    }
    var funnel = data.funnel;
    ["scanned", "included", "excluded"].forEach(function (name) {
      setText(panel, '[data-funnel="' + name + '"]', String(funnel[name]));
    });
    panel.querySelector("[data-funnel-partial]").hidden = funnel.complete;
    showReasons(panel, funnel.reasons);
    showTable(panel, data.columns, data.items);
    setText(panel, "[data-preview-note]", data.note || "");
    var output = panel.querySelector("[data-preview-output]");
    output.textContent = data.output === null ? "" : data.output;
    output.hidden = data.output === null;
    body.hidden = false;
    setText(
      panel,
      "[data-preview-status]",
      ngettext(
        "The first %(num)d item as the %(format)s feed would publish it.",
        "The first %(num)d items as the %(format)s feed would publish them.",
        data.items.length,
        { format: data.format }
      )
    );
  }

  function watchPreview(panel) {
    var form = document.getElementById(panel.getAttribute("data-preview-form"));
    var url = panel.getAttribute("data-preview-url");
    var sent = 0;
    var timer = null;

    function refresh() {
      var number = ++sent;
      panel.setAttribute("aria-busy", "true");
      setText(panel, "[data-preview-status]", _("Previewing…"));
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(_("the preview answered %(code)s", { code: response.status }));
          }
          return response.json();
        })
        .then(function (data) {
          if (number === sent) {
            showPreview(panel, data);
          }
        })
        .catch(function (error) {
          if (number === sent) {
            setText(panel, "[data-preview-status]", _("No preview: %(reason)s", { reason: error.message }));
          }
        })
        .then(function () {
          if (number === sent) {
            panel.removeAttribute("aria-busy");
          }
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DEBOUNCE_MS);
    }

    panel.querySelector("[data-preview-refresh]").addEventListener("click", refresh);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    refresh();
  }

  /* --- the starting mapping follows the format while it is left as it was ------------- */

  function watchFormat() {
    var format = document.getElementById("field-format");
    var mapping = document.querySelector("[data-starting-mappings]");
    if (!format || !mapping) {
      return;
    }
    var starting = JSON.parse(mapping.getAttribute("data-starting-mappings"));
    var previous = format.value;

    function same(text, wanted) {
      try {
        return JSON.stringify(JSON.parse(text)) === JSON.stringify(wanted);
      } catch (error) {
        return false;
      }
    }

    format.addEventListener("change", function () {
      var untouched = mapping.value.trim() === "" || same(mapping.value, starting[previous]);
      if (untouched && starting[format.value]) {
        mapping.value = JSON.stringify(starting[format.value], null, 2);
      }
      previous = format.value;
    });
  }

  /* --- copy buttons ------------------------------------------------------------------- */

  function watchCopies() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy"));
        var done = function () {
          button.textContent = _("Copied");
          window.setTimeout(function () {
            button.textContent = _("Copy");
          }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done);
        } else {
          input.select();
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  /* --- runs page: poll running runs until they finish, then reload --------------------- */

  function poll(row) {
    fetch(row.getAttribute("data-run-status"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        setText(row, '[data-count="included"]', formatNumber(status.included));
        setText(row, '[data-count="excluded"]', formatNumber(status.excluded));
        if (status.finished) {
          window.location.reload(); /* the run's report is complete: show it */
        } else {
          window.setTimeout(poll, POLL_MS, row);
        }
      })
      .catch(function () {
        window.setTimeout(poll, RETRY_MS, row);
      });
  }

  function watchRuns() {
    document.querySelectorAll("[data-run-status]").forEach(function (row) {
      row.setAttribute("aria-busy", "true");
      window.setTimeout(poll, POLL_MS, row);
    });
  }

  function start() {
    document.querySelectorAll("[data-preview-url]").forEach(watchPreview);
    watchFormat();
    watchCopies();
    watchRuns();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
