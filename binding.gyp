# Builds the addon for node-gyp based tools (node-gyp rebuild, prebuildify,
# node-gyp-build). The addon is a Go c-shared library, so the only target is
# an action that runs scripts/build.js (go build -buildmode=c-shared) with
# the Node-API headers of the node-gyp target, and writes
# build/<config>/experimental_threads.node, where node-gyp tools look for it.
# `npm install` does not use this file: the package's install script runs
# scripts/build.js directly.
{
  'targets': [
    {
      'target_name': 'experimental_threads',
      'type': 'none',
      'actions': [
        {
          'action_name': 'go_build_c_shared',
          'inputs': [
            'scripts/build.js',
            '<!@(node scripts/build.js --list-sources)',
          ],
          'outputs': ['<(PRODUCT_DIR)/experimental_threads.node'],
          'action': [
            'node', 'scripts/build.js', '--force',
            '--output', '<(PRODUCT_DIR)/experimental_threads.node',
            '--headers', '<(node_root_dir)/include/node',
          ],
          'message': 'go build -buildmode=c-shared',
        },
      ],
    },
  ],
}
