// vis-timeline (dual MIT / Apache-2.0, vendored in app/ui/static/vis-timeline) as one Vue component for NiceGUI.
// Rows are groups, bars are range items, holidays background items. Times are school-local wall times sent as
// "floating" strings ("2026-03-02T08:00:00"); they are read as UTC and the axis is drawn in UTC, so the
// browser's own zone never shifts them. The "now" line is set from the server's school-local now and then
// ticks on by itself. Clicks and Enter/Space on a focused bar are emitted to Python; a click on the time axis
// of a week zooms to that day and back. With `editable`, a drag or resize of a bar is emitted as item_change.
const DAY_MS = 24 * 60 * 60 * 1000;
let loading = null;

function loadVis(base) {
  if (window.vis && window.vis.Timeline) return Promise.resolve();
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = `${base}/vis-timeline-graph2d.min.css`;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = `${base}/vis-timeline-graph2d.min.js`;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`cannot load ${script.src}`));
      document.head.appendChild(script);
    });
  }
  return loading;
}

function date(wall) {
  return wall ? new Date(`${wall}Z`) : null;
}

function wall(value) {
  return value ? new Date(value).toISOString().slice(0, 19) : null;
}

function icon(name) {
  const el = document.createElement("i");
  el.className = "q-icon notranslate material-icons tl-icon";
  el.setAttribute("aria-hidden", "true");
  el.textContent = name;
  return el;
}

export default {
  template: '<div class="tl-root" role="group"></div>',
  props: {
    groups: Array,
    items: Array,
    start: String,
    end: String,
    now: String,
    label: String,
    nowLabel: String,
    locale: String,
    clickable: Boolean,
    editable: Boolean,
    base: String,
    options: Object,
  },
  async mounted() {
    await this.$nextTick(); // window.path_prefix is set by then
    await loadVis((window.path_prefix || "") + this.base);
    this.groupSet = new vis.DataSet();
    this.itemSet = new vis.DataSet();
    this.fill();
    this.$el.setAttribute("aria-label", this.label || "");
    this.timeline = new vis.Timeline(this.$el, this.itemSet, this.groupSet, {
      moment: (value) => vis.moment(value).utc(),
      locale: this.locale,
      orientation: "top",
      stack: true,
      showCurrentTime: true,
      zoomKey: "ctrlKey",
      horizontalScroll: false,
      zoomMin: 15 * 60 * 1000,
      groupOrder: "order",
      margin: { item: { horizontal: 0, vertical: 4 } },
      // Days named with their weekday ("Mo 30."), hours as 24 h clock, in the page's language.
      format: { minorLabels: { weekday: "dd D.", day: "dd D.", hour: "HH:mm", minute: "HH:mm" } },
      tooltip: { followMouse: true, overflowMethod: "cap" },
      ...this.editOptions(),
      template: (item) => this.itemElement(item),
      groupTemplate: (group) => this.groupElement(group),
      ...this.windowOptions(),
      ...(this.options || {}),
    });
    this.timeline.on("click", (props) => this.clicked(props));
    this.$el.addEventListener("keydown", (e) => this.key(e));
    // A drag ends with a pointer-up that vis may also report as a click: only a press that stayed put clicks.
    this.$el.addEventListener(
      "pointerdown",
      (e) => {
        this.pressed = { x: e.clientX, y: e.clientY };
        this.dragged = false; // a drag vis reported no click for must not swallow the next real click
      },
      true,
    );
    this.$el.addEventListener(
      "pointerup",
      (e) => (this.dragged = !!this.pressed && Math.hypot(e.clientX - this.pressed.x, e.clientY - this.pressed.y) > 4),
      true,
    );
    this.setNow();
  },
  unmounted() {
    if (this.timeline) this.timeline.destroy();
  },
  watch: {
    // An update of the element resends all props (the "now" line moves every minute): rebuild the rows and
    // bars only when they really differ, as a rebuild replaces their DOM nodes and swallows a click in flight.
    groups() {
      if (this.drawnKey() !== this.drawn) this.refill();
    },
    items() {
      if (this.drawnKey() !== this.drawn) this.refill();
    },
    window() {
      if (!this.timeline) return;
      this.timeline.setOptions(this.windowOptions());
      this.timeline.setWindow(date(this.start), date(this.end), { animation: false });
    },
    now() {
      this.setNow();
    },
  },
  computed: {
    window() {
      return `${this.start}|${this.end}`;
    },
  },
  methods: {
    editOptions() {
      // Bars may be dragged in time and resized (not to another row); Python answers, `reset` undoes a refusal.
      if (!this.editable) return { selectable: false };
      return {
        selectable: true,
        editable: { updateTime: true, updateGroup: false, add: false, remove: false, overrideItems: false },
        itemsAlwaysDraggable: { item: true, range: true },
        onMove: (item, callback) => {
          callback(item);
          this.$emit("item_change", { id: item.id, group: item.group ?? null, start: wall(item.start), end: wall(item.end) });
        },
      };
    },
    reset() {
      this.refill();
    },
    windowOptions() {
      const start = date(this.start);
      const end = date(this.end);
      return { start, end, min: start, max: end, zoomMax: end - start };
    },
    drawnKey() {
      return JSON.stringify([this.groups || [], this.items || []]);
    },
    fill() {
      this.drawn = this.drawnKey();
      this.groupSet.add((this.groups || []).map((g, order) => ({ order, ...g })));
      this.itemSet.add(
        (this.items || []).map((item) => ({ ...item, start: date(item.start), end: date(item.end) })),
      );
    },
    refill() {
      if (!this.timeline) return;
      this.itemSet.clear();
      this.groupSet.clear();
      this.fill();
    },
    setNow() {
      if (!this.timeline || !this.now) return;
      this.timeline.setCurrentTime(date(this.now));
      const bar = this.$el.querySelector(".vis-current-time");
      if (bar && this.nowLabel) {
        bar.setAttribute("data-testid", "timeline-now");
        bar.setAttribute("aria-label", this.nowLabel);
        let tag = bar.querySelector(".tl-now-label");
        if (!tag) {
          tag = document.createElement("span");
          tag.className = "tl-now-label";
          bar.appendChild(tag);
        }
        tag.textContent = this.nowLabel;
      }
    },
    itemElement(item) {
      const el = document.createElement("span");
      el.className = "tl-item";
      if (item.testid) el.setAttribute("data-testid", item.testid);
      if (item.type === "background") {
        if (item.content) el.textContent = item.content;
        return el;
      }
      el.setAttribute("data-item-id", String(item.id));
      el.setAttribute("tabindex", "0");
      // A bar that opens something is a button; otherwise a labelled, focusable picture of the time span.
      el.setAttribute("role", this.clickable ? "button" : "img");
      el.setAttribute("aria-label", item.label || item.content || "");
      if (item.icon) el.appendChild(icon(item.icon));
      const text = document.createElement("span");
      text.textContent = item.content || "";
      el.appendChild(text);
      return el;
    },
    groupElement(group) {
      const el = document.createElement("div");
      el.className = "tl-group";
      if (group.testid) el.setAttribute("data-testid", group.testid);
      if (group.color) {
        const dot = document.createElement("span");
        dot.className = "tl-dot";
        dot.style.background = group.color;
        el.appendChild(dot);
      }
      const name = document.createElement("span");
      name.className = "tl-group-name";
      name.textContent = group.content || "";
      el.appendChild(name);
      if (group.badge) {
        const badge = document.createElement("span");
        badge.className = "tl-badge";
        badge.textContent = group.badge;
        if (group.badgeTitle) badge.title = group.badgeTitle;
        el.appendChild(badge);
      }
      return el;
    },
    emitItem(id, time) {
      const item = this.itemSet.get(id);
      if (!item || item.type === "background") return;
      this.$emit("item_click", { id: item.id, group: item.group ?? null, time: time ? wall(time) : null });
    },
    clicked(props) {
      if (this.dragged) {
        this.dragged = false;
      } else if (props.what === "axis" && props.time) {
        this.toggleDayZoom(props.time);
      } else if (props.item != null) {
        this.emitItem(props.item, props.time);
      } else if (props.group != null && props.time && props.what !== "group-label") {
        this.$emit("time_click", { group: props.group, time: wall(props.time) });
      }
    },
    key(e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      const el = e.target.closest && e.target.closest("[data-item-id]");
      if (!el) return;
      e.preventDefault();
      const id = el.getAttribute("data-item-id");
      this.emitItem(this.itemSet.get(id) ? id : Number(id), null);
    },
    toggleDayZoom(time) {
      // In a window of several days a click on the time axis zooms to that day; the next click zooms back out.
      const start = date(this.start);
      const end = date(this.end);
      if (!this.timeline || end - start <= DAY_MS) return;
      const shown = this.timeline.getWindow();
      if (shown.end - shown.start < end - start - 1000) {
        this.timeline.setWindow(start, end, { animation: false });
        return;
      }
      const at = new Date(time);
      const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
      this.timeline.setWindow(day, new Date(day.getTime() + DAY_MS), { animation: false });
    },
    zoom(start, end) {
      if (this.timeline) this.timeline.setWindow(date(start), date(end), { animation: false });
    },
  },
};
