/**
 * Above-ground biomass density from an empirical NDVI model (rows of the forestry models
 * table): linear a + b*ndvi, power a * ndvi^b, exponential a * e^(b*ndvi), in Mg/ha.
 */
export interface ModelForm {
  form: 'linear' | 'power' | 'exponential';
  coefficients: Record<string, number>;
}

/** Density in Mg/ha; NaN where the model gives no real number (power of a negative NDVI). */
export function biomassDensity(model: ModelForm, ndvi: number): number {
  const a = model.coefficients.a ?? NaN;
  const b = model.coefficients.b ?? NaN;
  let value: number;
  switch (model.form) {
    case 'linear': value = a + b * ndvi; break;
    case 'power': value = ndvi > 0 ? a * ndvi ** b : NaN; break;
    case 'exponential': value = a * Math.exp(b * ndvi); break;
  }
  // A fitted line may go below zero at bare-soil NDVI: there is no negative biomass.
  return Number.isFinite(value) ? Math.max(0, value) : NaN;
}

/** Total in Mg: density (Mg/ha) x area (m²). */
export function biomassTotal(densityMgPerHa: number, areaM2: number): number {
  return densityMgPerHa * (areaM2 / 10_000);
}
