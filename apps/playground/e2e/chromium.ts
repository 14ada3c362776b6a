/**
 * Debian's Chromium through playwright-core, with the flags that give headless Chromium a
 * WebGPU adapter (SwiftShader's Vulkan) and WebGL 2 in a container without a GPU.
 */
import { findChromium } from '../../../tools/browser/run-in-browser.mjs';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: findChromium(), headless: true, args: chromiumArgs, timeout: 30_000 });
}
