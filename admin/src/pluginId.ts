/** The plugin's id: its name in the root package.json (`strapi.name`) and the prefix of its admin API. */
export const PLUGIN_ID = 'altbridge';
