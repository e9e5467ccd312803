// On a narrow screen the row of sections scrolls sideways: bring the current section into view.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector(".lifecycle a[aria-current]");
  const row = current && current.closest("ul");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
});
