// The signature pad of the sign page (signatures/sign.html), loaded with `defer` there only.
// [data-signature-pad] is a fieldset, hidden until this script runs (without JavaScript the
// typed name alone signs), holding a <canvas> and a Clear button; its value names the hidden
// input that gets the drawing. Pointer events (mouse, finger, pen) draw; at the end of each
// stroke the input gets the canvas as a PNG data URL, and Clear empties both. The canvas fills
// the card's width (CSS); its drawing buffer follows its size on screen times the device's
// pixel ratio, capped at what the server accepts (services.MAX_DRAWN_SIZE).
(() => {
  const MAX_WIDTH = 1200;
  const MAX_HEIGHT = 400;
  const INK = "#1d2430";
  const LINE_WIDTH = 2.5; // CSS pixels
  const DRAWN_LABEL = "Your drawn signature; Clear removes it";

  function setUp(pad) {
    const canvas = pad.querySelector("canvas");
    const input = document.getElementById(pad.dataset.signaturePad);
    const clear = pad.querySelector("[data-signature-clear]");
    if (!canvas || !input || !clear || !canvas.getContext) return;
    const context = canvas.getContext("2d");
    const emptyLabel = canvas.getAttribute("aria-label");
    let shownWidth = 0;
    let pointer = null; // the pointer drawing now, one at a time
    let last = null;

    function label() {
      canvas.setAttribute("aria-label", input.value ? DRAWN_LABEL : emptyLabel);
    }

    function pen() {
      const scale = canvas.width / Math.max(canvas.clientWidth, 1);
      context.strokeStyle = INK;
      context.fillStyle = INK;
      context.lineWidth = LINE_WIDTH * scale;
      context.lineCap = "round";
      context.lineJoin = "round";
    }

    // The drawing kept in the input, drawn again (after a resize, or on a page sent back with
    // another field's error), scaled to fit without stretching.
    function redraw() {
      if (!input.value) return;
      const image = new Image();
      image.onload = () => {
        const fit = Math.min(canvas.width / image.width, canvas.height / image.height, 1);
        context.drawImage(image, 0, 0, image.width * fit, image.height * fit);
      };
      image.onerror = () => {
        input.value = "";
        label();
      };
      image.src = input.value;
    }

    function size() {
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      if (!width || !height || width === shownWidth) return;
      shownWidth = width;
      const ratio = Math.min(window.devicePixelRatio || 1, MAX_WIDTH / width, MAX_HEIGHT / height);
      canvas.width = Math.floor(width * ratio); // clears the canvas and the pen
      canvas.height = Math.floor(height * ratio);
      pen();
      redraw();
    }

    function at(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left - canvas.clientLeft) * (canvas.width / canvas.clientWidth),
        y: (event.clientY - box.top - canvas.clientTop) * (canvas.height / canvas.clientHeight),
      };
    }

    function end(event) {
      if (event.pointerId !== pointer) return;
      pointer = null;
      last = null;
      input.value = canvas.toDataURL("image/png");
      label();
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      pointer = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      last = at(event);
      context.beginPath();
      context.arc(last.x, last.y, context.lineWidth / 2, 0, 2 * Math.PI);
      context.fill();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== pointer) return;
      event.preventDefault();
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      for (const each of events.length ? events : [event]) {
        const point = at(each);
        context.beginPath();
        context.moveTo(last.x, last.y);
        context.lineTo(point.x, point.y);
        context.stroke();
        last = point;
      }
    });
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    clear.addEventListener("click", () => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
      label();
    });

    pad.hidden = false;
    size();
    label();
    let waiting = false;
    window.addEventListener("resize", () => {
      if (waiting) return;
      waiting = true;
      window.requestAnimationFrame(() => {
        waiting = false;
        size();
      });
    });
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
