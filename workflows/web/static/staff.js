// ykien staff pages: small conveniences; every page works without this file.
(function () {
  "use strict";

  // A refused form: the server marks the first refused field (or the form's error) with autofocus; where it
  // could name no field (a choice among many, such as the recipients), the first error takes the focus, so a
  // screen reader reads it first.
  var refused = document.querySelector("main .field-error, main .flash.error");
  if (refused && !document.querySelector("[autofocus]")) {
    refused.tabIndex = -1;
    refused.focus();
  }

  // "Chọn tất cả" in the round grid.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.hidden = false;
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[name="' + box.dataset.checkAll + '"]').forEach(function (b) { b.checked = box.checked; });
    });
  });

  // Live count of the recipients on the create form (the server counts again on "Xem trước").
  var form = document.getElementById("new-round");
  function countRecipients() {
    var counts = {comment: 0, publish: 0, inform: 0};
    form.querySelectorAll(".recipient-group").forEach(function (group) {
      var whole = {};
      group.querySelectorAll('.group-line input:checked').forEach(function (b) { whole[b.dataset.role] = true; });
      group.querySelectorAll("tr[data-unit]").forEach(function (row) {
        var role = ["comment", "publish", "inform"].find(function (r) {
          return whole[r] || row.querySelector('input[data-role="' + r + '"]:checked');
        });
        if (role) { counts[role] += 1; }
      });
    });
    form.querySelector("[data-total]").textContent = counts.comment + counts.publish + counts.inform;
    Object.keys(counts).forEach(function (r) {  // a kind without a role has no count for it
      var shown = form.querySelector('[data-role-count="' + r + '"]');
      if (shown) { shown.textContent = counts[r]; }
    });
  }
  if (form && form.querySelector("[data-total]")) { form.addEventListener("change", countRecipients); }

  // The computed deadline and the holidays before it, as the server would compute them.
  document.querySelectorAll("[data-deadline-preview]").forEach(function (box) {
    var out = box.querySelector("output");
    var asked = 0;  // answers may come back out of order: only the latest question's is shown
    function refresh() {
      var question = ++asked;
      var mode = box.querySelector('input[name="deadline_mode"]:checked');
      var query = new URLSearchParams({
        mode: mode ? mode.value : "date",
        date: box.querySelector('input[name="deadline_date"]').value,
        days: box.querySelector('input[name="deadline_days"]').value
      });
      fetch("/rounds/deadline-preview?" + query, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (question !== asked) { return; }
          if (!d.ok) { out.textContent = d.error; out.className = "deadline-result bad"; return; }
          var text = "Hạn: " + d.weekday + ", " + d.due_text +
            (d.working_days ? " (" + d.working_days + " ngày làm việc kể từ hôm nay)" : "") + ". ";
          text += d.days_off.length ? "Ngày nghỉ lễ trong khoảng: " +
            d.days_off.map(function (o) { return o.date + " (" + o.name + ")"; }).join("; ") + "." :
            "Không có ngày nghỉ lễ trong khoảng.";
          out.textContent = text;
          out.className = "deadline-result";
        })
        .catch(function () { /* the "Tính hạn" button still works */ });
    }
    // typing a date or a number of days chooses that way of setting the deadline: a date typed while "Sau N ngày"
    // stayed ticked would be ignored
    box.addEventListener("focusin", function (e) {
      var mode = e.target.name === "deadline_date" ? "date" : e.target.name === "deadline_days" ? "days" : null;
      var radio = mode && box.querySelector('input[name="deadline_mode"][value="' + mode + '"]');
      if (radio && !radio.checked) { radio.checked = true; refresh(); }
    });
    box.addEventListener("change", refresh);
    // a typed date is asked about once it reads as a whole date; a half-typed one waits for the field to be left
    var wholeDate = /^\s*(\d{1,2}\/\d{1,2}\/\d{4}|\d{4}-\d{2}-\d{2})\s*$/;
    box.addEventListener("input", function (e) {
      if (e.target.type === "number" || (e.target.name === "deadline_date" && wholeDate.test(e.target.value))) {
        refresh();
      }
    });
  });

  // A unit field (a code or a name): the units that fit what is typed, asked of the server (at most 20, searched
  // without diacritics or case), each a button that puts its code in the field. Without this the server finds the
  // unit from what was typed, or names the candidates.
  document.querySelectorAll("[data-unit-search]").forEach(function (field) {
    var box = document.createElement("div");
    box.className = "unit-matches";
    var said = document.createElement("p");
    said.className = "hint";
    said.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    box.appendChild(said);
    box.appendChild(list);
    var after = field.closest(".row") || field.closest("label");
    if (after.nextElementSibling && after.nextElementSibling.classList.contains("field-error")) {
      after = after.nextElementSibling;  // the server's refusal first, then the units to press
    }
    after.insertAdjacentElement("afterend", box);
    var one = field.form.querySelector('input[name="scope"][value="unit"]');  // typing a unit chooses "Một đơn vị"
    var asked = 0, waiting = null;
    function show(units, typed, serverSaid) {
      list.textContent = "";
      if (units.some(function (u) { return u.code === typed; })) { said.textContent = ""; return; }
      said.textContent = !units.length ? (serverSaid ? "" : "Không có đơn vị nào khớp \u201c" + typed + "\u201d.") :
        units.length >= 20 ? "Nhiều đơn vị khớp; đây là 20 đơn vị đầu, gõ thêm để thu hẹp:" :
        units.length + " đơn vị khớp; chọn một:";
      units.forEach(function (u) {
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link";
        pick.textContent = u.name + " (" + u.code + ")";
        pick.addEventListener("click", function () {
          field.value = u.code;
          list.textContent = "";
          said.textContent = "Đã chọn " + u.name + " (" + u.code + ").";
          field.focus();
        });
        var item = document.createElement("li");
        item.appendChild(pick);
        list.appendChild(item);
      });
    }
    function ask(serverSaid) {  // serverSaid: the server said already, at the field, that nothing fits
      var typed = field.value.trim();
      var question = ++asked;
      if (!typed) { list.textContent = ""; said.textContent = ""; return; }
      var url = field.dataset.unitSearch;  // "/rounds/7/units", or "…?role=any" where any unit of the round will do
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams({q: typed}), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (d) { if (question === asked) { show(d.units, typed, serverSaid === true); } })
        .catch(function () { /* the server still finds the unit from what was typed */ });
    }
    field.addEventListener("input", function () {
      if (one && !one.checked) { one.checked = true; }
      clearTimeout(waiting);
      waiting = setTimeout(ask, 200);
    });
    // a refused field (several units, or none, fit what was typed): its candidates at hand, to press
    if (field.value.trim() && field.getAttribute("aria-invalid") === "true") { ask(true); }
  });

  // One more blank comment row on the paper-answer form.
  document.querySelectorAll("[data-comment-rows]").forEach(function (table) {
    var add = document.createElement("button");
    add.type = "button";
    add.className = "secondary";
    add.textContent = "Thêm một ý kiến";
    add.addEventListener("click", function () {
      var rows = table.tBodies[0].rows;
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input, textarea").forEach(function (f) { f.value = ""; });
      copy.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      table.tBodies[0].appendChild(copy);
    });
    table.insertAdjacentElement("afterend", add);
  });
})();
