"""The stream processing application: raw records to trustworthy days and
explained anomalies."""
