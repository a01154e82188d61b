/**
 * The inline browser script of the HTML report: tabs between records, and the details panel
 * that shows the JSON details of the clicked (or keyboard-activated) mark. It reads data only
 * through textContent and attributes, never innerHTML, so run data cannot inject markup.
 */

/**
 * Plain ES2017 for any browser; it must not contain "</" (it is inlined in a script element).
 * @internal
 */
export const REPORT_SCRIPT = `
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var tabs = Array.prototype.slice.call(document.querySelectorAll("nav.tabs [data-tab]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section[data-record]"));
  function show(index) {
    sections.forEach(function (s, i) { s.classList.toggle("active", i === index); });
    tabs.forEach(function (t, i) {
      t.classList.toggle("active", i === index);
      t.setAttribute("aria-selected", String(i === index));
    });
  }
  tabs.forEach(function (t, i) { t.addEventListener("click", function () { show(i); }); });
  show(0);

  var heading = document.getElementById("details-title");
  var body = document.getElementById("details-body");
  var selected = null;
  function select(el) {
    if (selected !== null) selected.classList.remove("selected");
    selected = el;
    el.classList.add("selected");
    var raw = el.getAttribute("data-details") || "null";
    var text;
    // A number of 16 digits or more may be a 64-bit value that JSON.parse would round: such
    // details are shown as written, exact, rather than re-indented.
    if (/\\d{16,}/.test(raw)) text = raw;
    else try { text = JSON.stringify(JSON.parse(raw), null, 2); } catch (e) { text = raw; }
    heading.textContent = (el.getAttribute("title") || el.getAttribute("data-kind") || "").split("\\n")[0];
    body.textContent = text;
  }
  document.addEventListener("click", function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    var link = target.closest("[data-target]");
    if (link !== null) {
      var mark = document.getElementById(link.getAttribute("data-target") || "");
      if (mark !== null) {
        mark.scrollIntoView({ block: "nearest", inline: "center" });
        select(mark);
      }
      ev.preventDefault();
      return;
    }
    var item = target.closest("[data-details]");
    if (item !== null) select(item);
  });
  document.addEventListener("keydown", function (ev) {
    var target = ev.target;
    if (ev.key !== "Enter" && ev.key !== " ") return;
    if (!(target instanceof Element) || !target.hasAttribute("data-details")) return;
    select(target);
    ev.preventDefault();
  });
})();
`;
