// FullCalendar (MIT core, vendored in app/ui/static/fullcalendar) as one Vue component for NiceGUI.
// Times are school-local wall times sent as "floating" strings; the calendar runs in UTC so it never shifts
// them by the browser's zone. Clicks, date clicks, drops and resizes are emitted to Python.
const FILES = ["core", "daygrid", "timegrid", "list", "interaction", "locales-all"];
let loading = null;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(script);
  });
}

function loadFullCalendar(base) {
  if (window.FullCalendar && window.FullCalendar.Calendar && window.FullCalendar.globalLocales.length) {
    return Promise.resolve();
  }
  if (!loading) {
    loading = FILES.reduce((chain, name) => chain.then(() => loadScript(`${base}/${name}.global.min.js`)), Promise.resolve());
  }
  return loading;
}

function wall(date) {
  return date ? date.toISOString().slice(0, 19) : null;
}

export default {
  template: "<div></div>",
  props: { options: Object, events: Array, view: String, date: String, scroll: String, base: String },
  async mounted() {
    await this.$nextTick(); // window.path_prefix is set by then
    await loadFullCalendar((window.path_prefix || "") + this.base);
    const pack = (event) => ({
      id: event.id,
      key: event.extendedProps.key,
      start: wall(event.start),
      end: wall(event.end),
      allDay: event.allDay,
    });
    this.calendar = new FullCalendar.Calendar(this.$el, {
      ...this.options,
      timeZone: "UTC",
      initialView: this.view,
      initialDate: this.date,
      scrollTime: this.scroll,
      events: this.copy(),
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        if (info.event.display !== "background") this.$emit("event_click", pack(info.event));
      },
      dateClick: (info) => this.$emit("date_click", { date: wall(info.date), allDay: info.allDay }),
      eventDrop: (info) => this.$emit("event_change", { ...pack(info.event), old: pack(info.oldEvent), kind: "drop" }),
      eventResize: (info) =>
        this.$emit("event_change", { ...pack(info.event), old: pack(info.oldEvent), kind: "resize" }),
      eventDidMount: (info) => {
        const props = info.event.extendedProps;
        if (props.testid) info.el.setAttribute("data-testid", props.testid);
        if (info.event.display === "background") return;
        // FullCalendar itself makes a clickable event focusable (tabindex 0) and opens it on Enter or Space
        // (eventClick); a second key handler here would open its dialog twice.
        info.el.setAttribute("role", "button");
        // The visible text (time and title) is the accessible name; the label with the group goes in the title.
        if (props.label) info.el.setAttribute("title", props.label);
      },
    });
    this.calendar.render();
  },
  unmounted() {
    if (this.calendar) this.calendar.destroy();
  },
  computed: {
    where() {
      return `${this.view}|${this.date}|${this.scroll}`;
    },
  },
  watch: {
    events(value) {
      // An update of the element resends all props: redraw only when the events really differ, as a redraw
      // replaces the events' DOM nodes and would swallow a click in flight.
      if (JSON.stringify(value || []) !== this.drawn) this.reset();
    },
    where() {
      // Navigating opens a time view at the given hour; a live update of the events keeps the user's scroll.
      if (!this.calendar) return;
      this.calendar.batchRendering(() => {
        this.calendar.setOption("scrollTime", this.scroll);
        this.calendar.changeView(this.view, this.date);
      });
    },
  },
  methods: {
    copy() {
      this.drawn = JSON.stringify(this.events || []);
      return JSON.parse(this.drawn);
    },
    reset() {
      // Also undoes a drag the user cancelled: the events go back to what the server holds.
      if (!this.calendar) return;
      this.calendar.batchRendering(() => {
        this.calendar.removeAllEvents();
        this.calendar.addEventSource(this.copy());
      });
    },
  },
};
