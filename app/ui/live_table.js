// A QTable for live pages (see live_table.py):
// - cell slots are compiled once and kept (NiceGUI's own slot templates are new components on every render,
//   so every update of the page remounted every templated cell, swallowing a click under the pointer);
// - the selection is the browser's own as soon as it is clicked; a selection the server sends replaces it.
import { convertDynamicProperties } from "../../static/utils/dynamic_properties.js";

const cells = new Map();

function cell(template) {
  let component = cells.get(template);
  if (!component) {
    component = { props: { props: { type: Object, default: {} }, emit: Function }, template };
    cells.set(template, component);
  }
  return component;
}

export default {
  template: `
    <q-table ref="qRef" :columns="convertedColumns" :selected="shownSelection"
             @update:selected="select" @fullscreen="setFullscreenClass">
      <template v-for="(template, slot) in cellSlots" v-slot:[slot]="slotProps">
        <component :is="cell(template)" :props="slotProps || {}" :emit="(...args) => $emit(...args)" />
      </template>
      <template v-for="(_, slot) in $slots" v-slot:[slot]="slotProps">
        <slot :name="slot" v-bind="slotProps || {}" />
      </template>
    </q-table>
  `,
  props: {
    columns: Array,
    selected: Array,
    cellSlots: { type: Object, default: () => ({}) },
    selectionVersion: { type: Number, default: 0 },
  },
  data() {
    return { clientSelection: null };
  },
  computed: {
    convertedColumns() {
      this.columns.forEach((column) => convertDynamicProperties(column, false));
      return this.columns;
    },
    shownSelection() {
      return this.clientSelection ?? this.selected ?? [];
    },
  },
  watch: {
    // A new array only arrives when the server's selection is not the browser's (otherwise it is preserved).
    selected() {
      this.clientSelection = null;
    },
  },
  methods: {
    cell,
    select(rows) {
      this.clientSelection = rows;
      this.$emit("client-selected", { rows, version: this.selectionVersion });
    },
    setFullscreenClass(isFullscreen) {
      if (isFullscreen) {
        document.documentElement.classList.add("nicegui-table-fullscreen");
      } else {
        setTimeout(() => document.documentElement.classList.remove("nicegui-table-fullscreen"));
      }
    },
  },
  unmounted() {
    this.setFullscreenClass(false);
  },
};
