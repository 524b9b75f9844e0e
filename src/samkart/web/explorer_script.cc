#include "samkart/web/explorer_script.h"

namespace samkart::web {

// On every change of a choice the script asks the server for the result
// region (/utforsk?…&del=resultat, rendered by the same C++ code as the
// page) and swaps it in, keeps the address in step (history.replaceState),
// and says politely what changed. «Vis» still loads the whole page.
const char* ExplorerScript() {
  return R"js('use strict';
(function () {
  var form = document.getElementById('utforsk-skjema');
  var region = document.getElementById('utforsk-resultat');
  var status = document.getElementById('utforsk-status');
  if (!form || !region || !status || !window.fetch || !window.DOMParser ||
      !window.URLSearchParams || !window.FormData || !window.history.replaceState) {
    return;
  }
  var hint = document.getElementById('utforsk-familiehint');
  if (hint) hint.hidden = true;
  var areas = ['kommune', 'region', 'storrelse'];
  var sequence = 0;
  var controller = null;

  // The form's choices without the empty ones: the address of the view.
  function choices() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== '') params.append(name, value);
    });
    return params;
  }

  function say(message) {
    status.textContent = '';
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  // The fields a refusal is about get aria-invalid and point to its text.
  function markFields(fields) {
    var selects = form.querySelectorAll('select');
    for (var i = 0; i < selects.length; i++) {
      var select = selects[i];
      if (fields.indexOf(select.name) >= 0) {
        select.setAttribute('aria-invalid', 'true');
        select.setAttribute('aria-describedby', 'utforsk-feil-tekst');
      } else {
        select.removeAttribute('aria-invalid');
        select.removeAttribute('aria-describedby');
      }
    }
  }

  function textOf(root, selector) {
    var element = root.querySelector(selector);
    return element ? element.textContent.trim() : '';
  }

  function swap(doc, search) {
    var fresh = doc.getElementById('utforsk-resultat');
    if (!fresh) {
      // Not the explorer's answer (the login has expired, say): load the page.
      window.location.assign('/utforsk?' + search);
      return;
    }
    var items = doc.getElementById('f-sporsmal');
    var live = document.getElementById('f-sporsmal');
    if (items && live) {
      var chosen = items.value || '';
      while (live.firstChild) live.removeChild(live.firstChild);
      while (items.firstChild) live.appendChild(document.adoptNode(items.firstChild));
      live.value = chosen;
    }
    // Focus stays where the user is, and only the polite live region
    // tells what happened (the page's own alert and autofocus are for a
    // page loaded by «Vis»).
    var loud = fresh.querySelectorAll('[autofocus], [role="alert"]');
    for (var i = 0; i < loud.length; i++) {
      loud[i].removeAttribute('autofocus');
      if (loud[i].getAttribute('role') === 'alert') loud[i].removeAttribute('role');
    }
    while (region.firstChild) region.removeChild(region.firstChild);
    while (fresh.firstChild) region.appendChild(document.adoptNode(fresh.firstChild));
    region.removeAttribute('aria-busy');
    var refusal = region.querySelector('#utforsk-feil');
    markFields(refusal ? (refusal.getAttribute('data-felt') || '').split(' ') : []);
    if (refusal) {
      say('Visningen kan ikke vises. ' + textOf(region, '#utforsk-feil-tekst'));
    } else {
      var tables = region.querySelectorAll('table').length;
      say('Resultatet er oppdatert: ' + textOf(region, 'h2') + ', ' +
          textOf(region, 'section > p') + '. ' + tables +
          (tables === 1 ? ' tabell.' : ' tabeller.'));
    }
  }

  function update() {
    var params = choices();
    var search = params.toString();
    window.history.replaceState(null, '', '/utforsk?' + search);
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++sequence;
    region.setAttribute('aria-busy', 'true');
    params.append('del', 'resultat');
    fetch('/utforsk?' + params.toString(), {
      credentials: 'same-origin',
      headers: { 'Accept': 'text/html' },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.text();
    }).then(function (text) {
      if (mine !== sequence) return;
      swap(new DOMParser().parseFromString(text, 'text/html'), search);
    }).catch(function (error) {
      if (mine !== sequence || (error && error.name === 'AbortError')) return;
      region.removeAttribute('aria-busy');
      say('Resultatet kunne ikke hentes. Trykk «Vis» for å prøve igjen.');
    });
  }

  form.addEventListener('change', function (event) {
    var target = event.target;
    if (!target || !target.name) return;
    // The items belong to the family: a new family starts with all of them.
    if (target.name === 'familie') {
      var item = document.getElementById('f-sporsmal');
      if (item) item.value = '';
    }
    // One area at a time: choosing one clears the others.
    if (areas.indexOf(target.name) >= 0 && target.value !== '') {
      for (var i = 0; i < areas.length; i++) {
        var other = form.elements[areas[i]];
        if (other && other !== target) other.value = '';
      }
    }
    update();
  });
})();
)js";
}

}  // namespace samkart::web
