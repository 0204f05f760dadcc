namespace EmailEngine.Alerts;

public enum AlertSeverity { Info, Warning, Critical }
