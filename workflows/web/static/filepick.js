// A file field's button and words follow the browser's language ("Choose File", "No file chosen"), not the page's:
// staff and units read Vietnamese, so each file field shows "Chọn tệp" and "Chưa chọn tệp", then the chosen file's
// name and size ("bao-cao.pdf · 1,2 MB") or how many were chosen ("3 tệp").
// A screen reader heard the browser's words still: an input's value ("No file chosen") is the browser's, whatever
// its label says. So the Vietnamese button takes the focus and is what is heard, named by the field's label and
// what is chosen ("Tệp dự thảo: chưa chọn tệp"), described by the field's hints and errors. The real input, hidden
// from screen readers and out of the tab order, stays laid transparent over the button: a click or a file dropped
// on it opens or fills the browser's own picker, as Space and Enter on the button do, and the form posts it.
// Without this file the browser's own input shows and works.
(function () {
  "use strict";
  var NONE = "Chưa chọn tệp";
  // What the server or recipient.js says of the input (its hints and errors, a mistake) is what the button says.
  var MIRRORED = ["aria-describedby", "aria-invalid"];
  var dressed = 0;

  // Bytes as Vietnamese write a file's size, as the server does (service/attachments.shown_size): 812 B, 12 KB,
  // 3,4 MB.
  function shownSize(size) {
    if (size < 1024) { return size + " B"; }
    if (size < 1048576) { return Math.round(size / 1024) + " KB"; }
    return (size / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  function chosenWords(input) {
    var files = input.files;
    if (!files || !files.length) { return NONE; }
    if (files.length > 1) { return files.length + " tệp"; }
    // a name from a Mac file system is decomposed (NFD): composed, its diacritics draw as one letter each
    return files[0].name.normalize("NFC") + " · " + shownSize(files[0].size);
  }

  // The words of the field's labels as a screen reader read them on the input, without the drawn button inside a
  // label wrapping the field, a hint or an error (they describe the button); a required field says so in words,
  // as a button has no required state.
  function labelWords(input) {
    var labels = input.labels ? Array.prototype.slice.call(input.labels) : [];
    var words = labels.map(function (label) {
      var copy = label.cloneNode(true);
      copy.querySelectorAll(".file-pick, .req, .field-error, .hint").forEach(function (node) { node.remove(); });
      return copy.textContent;
    }).join(" ").replace(/\s+/g, " ").trim() || "Tệp";
    return input.required ? words + " (bắt buộc)" : words;
  }

  // A hint written inside the field's label ("tối đa 100 KB; …") describes the field rather than naming it.
  function describeByHints(input, base) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var hints = [];
    (input.labels ? Array.prototype.slice.call(input.labels) : []).forEach(function (label) {
      label.querySelectorAll(".hint").forEach(function (hint) { hints.push(hint); });
    });
    hints.forEach(function (hint, n) {
      if (!hint.id) { hint.id = base + "-label-hint" + (n ? "-" + n : ""); }
      if (ids.indexOf(hint.id) < 0) { ids.unshift(hint.id); }
    });
    if (hints.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
  }

  function dress(input) {
    dressed += 1;
    var pick = document.createElement("span");
    pick.className = "file-pick";
    var button = document.createElement("span");
    button.className = "file-pick-button";
    button.textContent = "Chọn tệp";
    button.setAttribute("role", "button");
    button.id = (input.id || "file-" + dressed) + "-pick";
    var chosen = document.createElement("span");
    chosen.className = "file-pick-name";
    chosen.setAttribute("aria-hidden", "true");  // the button's name says it
    var hadFocus = document.activeElement === input;  // a refused form's autofocus
    input.insertAdjacentElement("beforebegin", pick);
    pick.appendChild(input);
    pick.appendChild(button);
    pick.appendChild(chosen);
    input.setAttribute("aria-hidden", "true");
    input.tabIndex = -1;
    describeByHints(input, button.id.replace(/-pick$/, ""));

    function mirror() {
      MIRRORED.forEach(function (name) {
        if (input.hasAttribute(name)) { button.setAttribute(name, input.getAttribute(name)); }
        else { button.removeAttribute(name); }
      });
      if (input.disabled) { button.setAttribute("aria-disabled", "true"); button.tabIndex = -1; }
      else { button.removeAttribute("aria-disabled"); button.tabIndex = 0; }
    }

    function refresh() {
      var words = chosenWords(input);
      chosen.textContent = words;
      chosen.title = words === NONE ? "" : words;
      pick.classList.toggle("chosen", words !== NONE);
      var state = words === NONE ? "chưa chọn tệp" : "đã chọn " + words;
      button.setAttribute("aria-label", labelWords(input) + ": " + state);
    }

    // A field left empty that the form requires: the browser's bubble stood at the hidden input, so the message
    // stays under the field, described by the button, which takes the focus when the field is the form's first
    // mistake.
    var missingId = button.id.replace(/-pick$/, "-missing");
    function clearMissing() {
      var missing = document.getElementById(missingId);
      if (!missing) { return; }
      missing.remove();
      var rest = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== missingId;
      });
      if (rest.length) { input.setAttribute("aria-describedby", rest.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
      if (input.dataset.missingMarked) { input.removeAttribute("aria-invalid"); delete input.dataset.missingMarked; }
    }
    input.addEventListener("invalid", function (event) {
      event.preventDefault();
      if (!document.getElementById(missingId)) {
        var missing = document.createElement("span");
        missing.className = "field-error";
        missing.id = missingId;
        missing.setAttribute("role", "alert");
        missing.textContent = input.validationMessage;
        pick.insertAdjacentElement("afterend", missing);
        var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        input.setAttribute("aria-describedby", ids.concat([missingId]).join(" "));
        if (!input.hasAttribute("aria-invalid")) {
          input.setAttribute("aria-invalid", "true");
          input.dataset.missingMarked = "1";
        }
      }
      if (input.form && input.form.querySelector(":invalid") === input) { button.focus(); }
    });

    function open(event) {
      event.preventDefault();
      if (!input.disabled) { input.click(); }
    }
    button.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { open(event); }
      if (event.key === " ") { event.preventDefault(); }  // no scroll; a button opens on the key's release
    });
    button.addEventListener("keyup", function (event) { if (event.key === " ") { open(event); } });
    // A script or a link to the field (a refused form's list of mistakes) focuses the input: the button stands
    // for it.
    input.addEventListener("focus", function () { button.focus(); });
    input.addEventListener("change", function () { clearMissing(); refresh(); });
    input.addEventListener("input", refresh);
    if (input.form) {  // a reset empties the field after the event: read it once it has
      input.form.addEventListener("reset", function () {
        window.setTimeout(function () { clearMissing(); refresh(); }, 0);
      });
    }
    window.addEventListener("pageshow", refresh);  // Back to the page: the browser may give the files back
    new MutationObserver(function () { mirror(); refresh(); }).observe(input, {
      attributes: true, attributeFilter: MIRRORED.concat(["disabled", "required"])});
    mirror();
    refresh();
    if (hadFocus) { button.focus(); }
  }

  document.querySelectorAll("input[type=file]").forEach(dress);
}());
