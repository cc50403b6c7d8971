// The UAE Design System plugin (@aegov/design-system), loaded by app.css with `@plugin`.
// It is used unchanged (same base styles, components, utilities, colours and theme config),
// except for two things:
//  - its base styles carry @font-face rules that download Inter, Roboto, Noto Kufi Arabic and
//    Alexandria from fonts.gstatic.com. Bawaba runs on closed networks and serves its own font
//    (declared in app.css), so these rules are dropped;
//  - its banner (name, version, author) printed on every build is silenced.
const aegov = require("@aegov/design-system");

function quietly(fn) {
  const { log, group, groupEnd } = console;
  console.log = console.group = console.groupEnd = () => {};
  try {
    return fn();
  } finally {
    Object.assign(console, { log, group, groupEnd });
  }
}

module.exports = {
  handler(api) {
    quietly(() =>
      aegov.handler({
        ...api,
        addBase(styles) {
          const { "@font-face": _remoteFonts, ...rest } = styles;
          api.addBase(rest);
        },
      }),
    );
  },
  config: aegov.config,
};
