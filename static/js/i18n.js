/* Vitrine's translations for scripts: /i18n/messages.<lang>.js, loaded just before, sets
   window.vitrineCatalogue for the user's language; _("text", {name: value})
   returns the translation (or the English text) with %(name)s placeholders filled in, and
   ngettext(singular, plural, n, params) picks the form for n. Loaded before every script. */
(function () {
  "use strict";

  var catalogue = window.vitrineCatalogue || { messages: {}, plural: null };

  function fill(text, params) {
    if (!params) {
      return text;
    }
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  window._ = function (text, params) {
    var translated = catalogue.messages[text];
    return fill(typeof translated === "string" && translated ? translated : text, params);
  };

  var numbers = null;

  // Job statuses and import phases as words (the same words as the pages' |word filter).
  var WORDS = {
    job: {
      queued: _("queued"),
      running: _("running"),
      succeeded: _("succeeded"),
      failed: _("failed"),
    },
    import_phase: {
      reading: _("reading the file"),
      missing: _("handling products missing from the file"),
      done: _("done"),
    },
  };

  window.statusWord = function (domain, code) {
    var words = WORDS[domain] || {};
    return Object.prototype.hasOwnProperty.call(words, code) ? words[code] : String(code).replace(/_/g, " ");
  };

  // A count with the interface language's separators (1,501 / 1 501 / 1.501), as the
  // server renders it with the |number filter.
  window.formatNumber = function (n) {
    if (numbers === null) {
      try {
        numbers = new Intl.NumberFormat(document.documentElement.lang || "en");
      } catch (error) {
        numbers = new Intl.NumberFormat("en");
      }
    }
    return numbers.format(Number(n) || 0);
  };

  window.ngettext = function (singular, plural, n, params) {
    var forms = catalogue.messages[singular];
    var values = Object.assign({ num: n }, params || {});
    if (Array.isArray(forms) && forms.length) {
      var index = catalogue.plural === "fr" ? (n > 1 ? 1 : 0) : n === 1 ? 0 : 1;
      return fill(forms[Math.min(index, forms.length - 1)] || (n === 1 ? singular : plural), values);
    }
    return fill(n === 1 ? singular : plural, values);
  };
})();
