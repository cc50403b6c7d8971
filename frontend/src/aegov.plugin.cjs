const aegov = require('@aegov/design-system');
module.exports = {
  handler(api) {
    aegov.handler({ ...api, addBase(styles) { const { '@font-face': _dropped, ...rest } = styles; api.addBase(rest); } });
  },
  config: aegov.config,
};
