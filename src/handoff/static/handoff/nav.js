// Handoff's one script, loaded with `defer` on every page (templates/base.html). Pages carry no
// inline script or on…= handler (the Content-Security-Policy blocks them), so it handles:
// - the section row: on a narrow screen it scrolls sideways; bring the current section into view;
// - [data-print]: a click on it (or inside it) prints the page;
// - [data-select-on-focus]: a field whose text is selected when it gets the focus, to copy it.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector(".lifecycle a[aria-current]");
  const row = current && current.closest("ul");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
});

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("focusin", (event) => {
  if (event.target instanceof Element && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
