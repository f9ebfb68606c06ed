import { expect, type Locator, type Page } from '@playwright/test';

/** The Roadside window as an engineer sees it. */
export class RoadsidePage {
  constructor(readonly page: Page) {}

  nav(view: string): Locator {
    return this.page.locator(`nav [data-view="${view}"]`);
  }

  contextRow(name: string): Locator {
    return this.page.locator(`[data-testid="contexts-table"] tr[data-context="${name}"]`);
  }

  reachability(name: string): Locator {
    return this.contextRow(name).locator('[data-status]');
  }

  statusContext(): Locator {
    return this.page.getByTestId('status-context');
  }

  statusNamespace(): Locator {
    return this.page.getByTestId('status-namespace');
  }

  async openPalette(): Promise<Locator> {
    await this.page.keyboard.press('Control+K');
    const input = this.page.locator('[cmdk-input]');
    await expect(input).toBeVisible();
    return input;
  }

  async switchLanguage(language: 'es' | 'en'): Promise<void> {
    await this.nav('settings').click();
    await this.page.locator('#language-select').selectOption(language);
  }
}
