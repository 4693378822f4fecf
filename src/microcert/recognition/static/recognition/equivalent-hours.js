// Shows, as the reviewer types an equivalence, how many clock hours it makes.
// The input's id comes from the script tag's data-input (no inline script: the CSP forbids it).
(function () {
  var script = document.currentScript;
  var input = script && document.getElementById(script.getAttribute("data-input"));
  var output = document.getElementById("equivalent-hours");
  if (!input || !output) { return; }
  var minutes = parseFloat(output.getAttribute("data-minutes"));
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {maximumFractionDigits: 2});
  function update() {
    var amount = parseFloat(input.value);
    output.textContent = isFinite(amount) && amount > 0 ? format.format(amount * minutes / 60) : "\u2014";
  }
  input.addEventListener("input", update);
  update();
})();
