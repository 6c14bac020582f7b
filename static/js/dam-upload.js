/* Vitrine DAM: upload files one by one (XHR, with a progress bar each) from the library's
   upload form, by choosing them or dropping them on the drop zone. Plain JavaScript, no
   build step. Without it the form posts every chosen file at once and the page says what
   happened to each. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function resultRow(list, file) {
    var row = element("li", "upload-item");
    row.setAttribute("data-upload-file", file.name);
    row.appendChild(element("span", "upload-name wrap", file.name));
    var bar = element("progress", "upload-progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", _("Upload of %(file)s", { file: file.name }));
    row.appendChild(bar);
    row.appendChild(element("span", "upload-outcome", _("waiting")));
    list.appendChild(row);
    return row;
  }

  function showOutcome(row, outcome) {
    var box = row.querySelector(".upload-outcome");
    box.textContent = "";
    row.setAttribute("data-upload-status", outcome.status);
    row.querySelector("progress").value = 100;
    if (outcome.status === "new") {
      box.appendChild(element("span", "status status-upload-new", _("new")));
      box.appendChild(document.createTextNode(" "));
      var link = element("a", "", _("open asset %(code)s", { code: outcome.asset.code }));
      link.href = outcome.asset.url;
      box.appendChild(link);
    } else if (outcome.status === "duplicate") {
      box.appendChild(element("span", "status status-upload-duplicate", _("duplicate")));
      box.appendChild(document.createTextNode(" " + _("already in the library:") + " "));
      var existing = element("a", "", _("open existing asset %(code)s", { code: outcome.asset.code }));
      existing.href = outcome.asset.url;
      box.appendChild(existing);
    } else {
      box.appendChild(element("span", "status status-upload-error", _("refused")));
      box.appendChild(document.createTextNode(" " + (outcome.error || _("upload failed"))));
    }
  }

  function send(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", csrfToken(form));
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      var bar = row.querySelector("progress");
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      row.querySelector(".upload-outcome").textContent = _("uploading…");
      xhr.addEventListener("load", function () {
        var outcome;
        try {
          outcome = JSON.parse(xhr.responseText);
        } catch (error) {
          outcome = { status: "error", error: _("the server answered %(code)s", { code: xhr.status }) };
        }
        showOutcome(row, outcome);
        resolve(outcome);
      });
      xhr.addEventListener("error", function () {
        showOutcome(row, { status: "error", error: _("network error; try again") });
        resolve(null);
      });
      xhr.send(data);
    });
  }

  function uploadAll(form, files) {
    var list = form.querySelector("[data-upload-results]");
    var rows = Array.prototype.map.call(files, function (file) {
      return resultRow(list, file);
    });
    form.setAttribute("aria-busy", "true");
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file, index) {
      chain = chain.then(function () {
        return send(form, file, rows[index]);
      });
    });
    return chain.then(function () {
      form.removeAttribute("aria-busy");
      var done = element("li", "upload-done");
      var refresh = element("a", "", _("Show the new assets in the library"));
      refresh.href = window.location.pathname;
      done.appendChild(refresh);
      list.appendChild(done);
    });
  }

  function watch(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var submit = form.querySelector("[data-upload-submit]");
    if (submit) {
      submit.hidden = true; /* files start uploading as soon as they are chosen */
    }
    input.addEventListener("change", function () {
      if (input.files.length) {
        uploadAll(form, Array.prototype.slice.call(input.files)).then(function () {
          input.value = "";
        });
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) {
        uploadAll(form, Array.prototype.slice.call(input.files));
      }
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("is-dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer ? event.dataTransfer.files : [];
      if (files.length) {
        uploadAll(form, Array.prototype.slice.call(files));
      }
    });
    form.setAttribute("data-upload-ready", "true"); /* tests wait for this */
  }

  function start() {
    document.querySelectorAll("[data-dam-upload]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
